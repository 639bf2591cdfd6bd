package mimcm

import (
	"context"
	"iter"
	"strings"

	"github.com/google/uuid"
)

// InventoryItem is one certificate the signed-in user holds, with the
// software profile or smart card it belongs to (exactly one of them is
// set).
type InventoryItem struct {
	Profile     *Profile    `json:"Profile,omitempty"`
	Smartcard   *Smartcard  `json:"Smartcard,omitempty"`
	Certificate Certificate `json:"Certificate"`
}

// Inventory walks the signed-in user's software profiles and smart cards
// and yields each of their certificates, lazily: one call for the user's
// certificates first, then one per profile or card as the walk reaches
// it; stopping the loop stops the calls. The certificates of a profile or
// card come without validity dates from the server; Inventory fills
// NotBefore, NotAfter, Issuer and Status from the user's certificate of
// the same thumbprint (ListUserCertificates), so ExpiresWithin works on
// every item the user's list has (it leaves out retired certificates).
// A profile or card the server lists more than once is walked once: its
// certificates are asked for once and yielded once. An error is yielded
// once and ends the walk.
func (c *Client) Inventory(ctx context.Context, opts ...CallOption) iter.Seq2[InventoryItem, error] {
	return c.inventory(ctx, false, opts)
}

// inventory is Inventory; with userOnly it ends by yielding, once each by
// thumbprint, the user's certificates that no profile or card listed, as
// items with neither Profile nor Smartcard set (CertificateInventory
// wants every certificate the user holds; the list is already held).
func (c *Client) inventory(ctx context.Context, userOnly bool, opts []CallOption) iter.Seq2[InventoryItem, error] {
	return func(yield func(InventoryItem, error) bool) {
		user, err := c.ListUserCertificates(ctx, opts...)
		if err != nil {
			yield(InventoryItem{}, err)
			return
		}
		// The index in user of each thumbprint (its last entry when the
		// list repeats it), rather than a copy of the certificate.
		byThumbprint := make(map[string]int, len(user))
		for i, uc := range user {
			byThumbprint[strings.ToUpper(uc.Thumbprint)] = i
		}
		// listed marks the user's certificates a profile or card has
		// listed (userOnly).
		var listed []bool
		if userOnly {
			listed = make([]bool, len(user))
		}
		fill := func(cert Certificate) Certificate {
			if i, ok := byThumbprint[strings.ToUpper(cert.Thumbprint)]; ok {
				uc := user[i]
				if listed != nil {
					listed[i] = true
				}
				if cert.NotAfter.IsZero() {
					cert.NotBefore, cert.NotAfter = uc.NotBefore, uc.NotAfter
				}
				if cert.Issuer == "" {
					cert.Issuer, cert.RequesterName, cert.Status = uc.Issuer, uc.RequesterName, uc.Status
				}
			}
			return cert
		}
		profiles, err := c.ListProfiles(ctx, ProfileFilter{}, opts...)
		if err != nil {
			yield(InventoryItem{}, err)
			return
		}
		walked := make(map[uuid.UUID]bool, len(profiles))
		for i := range profiles {
			if walked[profiles[i].UUID] {
				continue
			}
			walked[profiles[i].UUID] = true
			certs, err := c.ListProfileCertificates(ctx, profiles[i].UUID, opts...)
			if err != nil {
				yield(InventoryItem{}, err)
				return
			}
			for _, cert := range certs {
				if !yield(InventoryItem{Profile: &profiles[i], Certificate: fill(cert)}, nil) {
					return
				}
			}
		}
		cards, err := c.ListSmartcards(ctx, SmartcardFilter{}, opts...)
		if err != nil {
			yield(InventoryItem{}, err)
			return
		}
		walked = make(map[uuid.UUID]bool, len(cards))
		for i := range cards {
			if walked[cards[i].UUID] {
				continue
			}
			walked[cards[i].UUID] = true
			certs, err := c.ListSmartcardCertificates(ctx, cards[i].UUID, opts...)
			if err != nil {
				yield(InventoryItem{}, err)
				return
			}
			for _, cert := range certs {
				if !yield(InventoryItem{Smartcard: &cards[i], Certificate: fill(cert)}, nil) {
					return
				}
			}
		}
		// In the user's order; a thumbprint the list repeats, once (at
		// its last entry, the one fill reads).
		for i, done := range listed {
			if done || byThumbprint[strings.ToUpper(user[i].Thumbprint)] != i {
				continue
			}
			if !yield(InventoryItem{Certificate: user[i]}, nil) {
				return
			}
		}
	}
}
