package mimcm

import (
	"context"
	"iter"

	"github.com/certadmin/certadmin-go/inventory"
)

// CertificateInventory is Inventory in the common form of package
// inventory (see inventory/FIELDS.md): the signed-in user's software
// profiles and smart cards, each list read when the walk reaches it, then
// the user's own certificates (ListUserCertificates) that no profile or
// card listed, once each by thumbprint, owned by the user. It is as lazy
// as Inventory (nothing is sent before the loop starts, nothing after it
// stops; the last part sends nothing) and holds the user's certificate
// list plus one profile's or card's list. ID is the thumbprint; Issuer, NotBefore and
// NotAfter come from the user's certificate of that thumbprint (zero when
// the user's list lacks it); no subject or SANs (CM's certificate data
// has none); Status is the holder's (the certificate's own Status is a
// number whose meanings are not published, and stays in Record); Owner is
// the profile, or the smart card as a device named by its card ID. The
// first error (a *Error) is yielded once and ends the walk. Record is the
// InventoryItem.
func (c *Client) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for item, err := range c.inventory(ctx, true, nil) {
			if err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
			if !yield(inventoryCertificate(item), nil) {
				return
			}
		}
	}
}

func inventoryCertificate(item InventoryItem) inventory.Certificate {
	crt := item.Certificate
	out := inventory.Certificate{Vendor: "mimcm", ID: crt.Thumbprint, Serial: crt.SerialNumber, Issuer: crt.Issuer,
		NotBefore: crt.NotBefore, NotAfter: crt.NotAfter, Record: item}
	switch {
	case item.Profile != nil:
		out.Status = item.Profile.Status.String()
		out.Owner = inventory.Owner{Kind: inventory.OwnerProfile, ID: item.Profile.UUID.String()}
	case item.Smartcard != nil:
		out.Status = item.Smartcard.Status.String()
		out.Owner = inventory.Owner{Kind: inventory.OwnerDevice, ID: item.Smartcard.UUID.String(), Name: item.Smartcard.CardID()}
		// The one holder state the vendor pins as out of use; a profile's
		// status numbers other than Active are not published.
		out.Retired = item.Smartcard.Status == SmartcardStatusRetired
	default:
		// One of the user's certificates under no profile or card: it
		// is the signed-in user's (whose ID the API does not tell), no
		// holder status, and never retired (the user's list leaves
		// retired certificates out).
		out.Owner = inventory.Owner{Kind: inventory.OwnerUser}
	}
	return out
}
