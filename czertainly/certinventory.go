package czertainly

import (
	"context"
	"iter"

	"github.com/certadmin/certadmin-go/inventory"
)

// CertificateInventory lists the inventory without archived certificates
// in the common form of package inventory (see inventory/FIELDS.md):
// ListCertificates in pages of MaxPageSize, so it is as lazy as that
// (nothing is sent before the loop starts, no page after it stops), holds
// one page at a time, ends a server that repeats a page with
// ErrPagingMismatch, and yields a *Error once and stops. SANs stay empty:
// only a certificate's detail has them, one request per certificate.
// Record is the Certificate.
func (c *Client) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for crt, err := range c.ListCertificates(ctx, CertificateQuery{PageSize: MaxPageSize}) {
			if err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
			if !yield(inventoryCertificate(crt), nil) {
				return
			}
		}
	}
}

func inventoryCertificate(crt Certificate) inventory.Certificate {
	out := inventory.Certificate{Vendor: "czertainly", ID: crt.UUID, Subject: crt.SubjectDN, Serial: crt.SerialNumber,
		Issuer: crt.IssuerDN, NotBefore: crt.NotBefore, NotAfter: crt.NotAfter, Record: crt,
		// Revoked, or archived (out of searches, no more operations).
		Retired: crt.State == CertificateStateRevoked || crt.Archived}
	// Both words of Core's state: what happened to the certificate
	// (issued, revoked, …) and what its validation found (valid,
	// expiring, expired, …); either alone hides what the other says.
	switch {
	case crt.State != "" && crt.ValidationStatus != "":
		out.Status = string(crt.State) + "/" + string(crt.ValidationStatus)
	default:
		out.Status = string(crt.State) + string(crt.ValidationStatus)
	}
	switch {
	case crt.OwnerUUID != "" || crt.Owner != "":
		out.Owner = inventory.Owner{Kind: inventory.OwnerUser, ID: crt.OwnerUUID, Name: crt.Owner}
	case crt.RAProfile != nil:
		out.Owner = inventory.Owner{Kind: inventory.OwnerProfile, ID: crt.RAProfile.UUID, Name: crt.RAProfile.Name}
	}
	return out
}
