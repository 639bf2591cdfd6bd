package core

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/inventory"
)

// inventorySettings is what WithInventoryCESettings gave NewClient.
type inventorySettings struct {
	names []string
	set   bool
}

// WithInventoryCESettings limits CertificateInventory to the certificate
// enrollments of these names (the ceSettingName of a search), instead of
// every enrollment the CE configurations list: one search per name, and no
// configuration request. Use it when the enrollments are known, or when
// the account may search certificates but not read configurations. It is a
// client option: CertificateInventory takes none, so every Lister is
// called the same way.
func WithInventoryCESettings(names ...string) Option {
	return clientOption(func(c *transport.Config) {
		s := transport.Extension[inventorySettings](c)
		s.names, s.set = append([]string(nil), names...), true
	})
}

// inventoryNames checks the names of WithInventoryCESettings for NewClient.
func inventoryNames(op string, cfg *transport.Config) ([]string, error) {
	s := transport.Extension[inventorySettings](cfg)
	if !s.set {
		return nil, nil
	}
	if len(s.names) == 0 {
		return nil, apierror.Invalid(op, "WithInventoryCESettings: no enrollment name (leave the option out to walk every enrollment)")
	}
	var out []string
	for _, n := range s.names {
		if strings.TrimSpace(n) == "" {
			return nil, apierror.Invalid(op, "WithInventoryCESettings: an empty enrollment name")
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// CertificateInventory lists the certificates of every certificate
// enrollment in the common form of package inventory (see
// inventory/FIELDS.md). Core's search has no paging and needs an
// enrollment name, so the walk reads the CE configurations of each
// sub-type in turn (CEConfigurations) and searches each enrollment it
// names once (SearchCertificates), or searches only the names of
// WithInventoryCESettings. Each request is sent when the loop reaches it:
// nothing before the loop starts, nothing after it stops; the walk holds
// one answer (one sub-type's configurations and one enrollment's search)
// at a time. The first error (a *Error: ErrInvalidInput for a
// configuration without a name, ErrUnexpectedResponse for a search whose
// resultCount is not the number of results it holds) is yielded once and
// ends the walk. The
// search tells no subject, SANs, issuer or start of validity: those stay
// zero. Record is the Certificate.
func (c *Client) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		// search yields one enrollment's certificates; false: stop.
		search := func(name string) bool {
			res, err := c.SearchCertificates(ctx, CertificateFilter{CESettingName: name})
			if err == nil && res.ResultCount != 0 && res.ResultCount != len(res.Results) {
				// resultCount is "the number of entries that are being
				// returned" (seed:619-621): an answer that holds another
				// number is cut or capped, and a walk that went on would
				// report the enrollment as read to the end. (0 is also
				// what an answer without resultCount reads as, so it
				// proves nothing.)
				err = &apierror.Error{Op: "core.CertificateInventory", Kind: apierror.ErrUnexpectedResponse,
					Message: fmt.Sprintf("enrollment %q: resultCount %d, but the answer holds %d results", name, res.ResultCount, len(res.Results))}
			}
			if err != nil {
				yield(inventory.Certificate{}, err)
				return false
			}
			for i := range res.Results {
				if !yield(inventoryCertificate(res.Results[i]), nil) {
					return false
				}
			}
			return true
		}
		if c.inventoryCE != nil {
			for _, name := range c.inventoryCE {
				if !search(name) {
					return
				}
			}
			return
		}
		// An enrollment may be listed under more than one sub-type, or
		// twice: it is searched once. Only the names are kept.
		searched := map[string]bool{}
		for _, st := range enrollmentSubTypes {
			list, err := c.CEConfigurations(ctx, st)
			if err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
			for _, cfg := range list.Results {
				// A configuration without a name cannot be searched:
				// SearchCertificates refuses it (ErrInvalidInput).
				if searched[cfg.Name] {
					continue
				}
				searched[cfg.Name] = true
				if !search(cfg.Name) {
					return
				}
			}
		}
	}
}

func inventoryCertificate(crt Certificate) inventory.Certificate {
	out := inventory.Certificate{Vendor: "mobileiron/core", ID: strconv.FormatInt(crt.ID, 10), Serial: crt.SerialNumber,
		NotAfter: crt.ExpiredAt, Status: string(crt.Status), Record: crt,
		// Revoked, or in Core's trash (the vendor's sample shows a trashed
		// certificate still ACTIVE, so the status alone does not say it).
		Retired: crt.Status == CertificateStatusRevoked || crt.Trash}
	switch {
	case crt.UserID != "":
		out.Owner = inventory.Owner{Kind: inventory.OwnerUser, ID: crt.UserID}
	case crt.DeviceUUID != "":
		out.Owner = inventory.Owner{Kind: inventory.OwnerDevice, ID: crt.DeviceUUID}
	case crt.DeviceID != 0:
		out.Owner = inventory.Owner{Kind: inventory.OwnerDevice, ID: strconv.FormatInt(crt.DeviceID, 10)}
	}
	return out
}
