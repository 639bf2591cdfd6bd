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
	return func(yield func(InventoryItem, error) bool) {
		user, err := c.ListUserCertificates(ctx, opts...)
		if err != nil {
			yield(InventoryItem{}, err)
			return
		}
		byThumbprint := make(map[string]Certificate, len(user))
		for _, uc := range user {
			byThumbprint[strings.ToUpper(uc.Thumbprint)] = uc
		}
		fill := func(cert Certificate) Certificate {
			if uc, ok := byThumbprint[strings.ToUpper(cert.Thumbprint)]; ok {
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
	}
}
