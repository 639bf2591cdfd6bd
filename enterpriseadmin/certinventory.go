package enterpriseadmin

import (
	"context"
	"iter"

	"github.com/certadmin/certadmin-go/inventory"
)

// CertificateInventory lists the identity store, then the trust store, in
// the common form of package inventory (see inventory/FIELDS.md). The
// server does not page these lists: each store is one answer, read when
// the loop reaches it (nothing is sent before the loop starts, and the
// trust store is not read when the loop stops in the identity store), so
// the walk holds one store at a time. A certificate's id is unique only
// within its store, so ID is "identity/<id>" or "trust/<id>". The first
// error (a *Error) is yielded once and ends the walk. Record is the
// Certificate.
func (c *Client) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		stores := []struct {
			prefix string
			typ    CertificateType
			list   func(context.Context, ...CallOption) ([]Certificate, error)
		}{
			{"identity/", CertificateTypeIdentity, c.ListIdentityCertificates},
			{"trust/", CertificateTypeTrust, c.ListTrustCertificates},
		}
		for _, st := range stores {
			certs, err := st.list(ctx)
			if err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
			for i := range certs {
				if !yield(inventoryCertificate(st.prefix, st.typ, certs[i]), nil) {
					return
				}
				certs[i] = Certificate{} // what was yielded is the caller's
			}
		}
	}
}

func inventoryCertificate(prefix string, typ CertificateType, crt Certificate) inventory.Certificate {
	var sans []string // as written ("DNSName: host"); none is nil
	if len(crt.SubjectAlternativeNames) > 0 {
		sans = crt.SubjectAlternativeNames
	}
	return inventory.Certificate{Vendor: "enterpriseadmin", ID: prefix + crt.ID, Subject: crt.Subject,
		SANs: sans, Serial: crt.SerialNumber, Issuer: crt.Issuer,
		NotBefore: crt.ValidFrom, NotAfter: crt.ValidUntil,
		// The store is the only state the server reports.
		Status: string(typ),
		// The server's configuration refers to a certificate by name.
		Owner:  inventory.Owner{Kind: inventory.OwnerSystem, Name: crt.Name},
		Record: crt}
}
