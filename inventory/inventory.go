// Package inventory is the common view of a certificate held by any of the
// systems this module drives, and a concurrent walk over several of them.
//
// Each vendor package that holds certificates gives its client a method
// CertificateInventory(ctx) returning an iter.Seq2[Certificate, error],
// so a *mobileiron/core.Client, *mimcm.Client, *czertainly.Client and
// *enterpriseadmin.Client are all a Lister, and a program walks every
// system the same way. The package imports no vendor package: it is the one
// type they share, the way io.Reader is shared by files and sockets.
//
//	var mdm, ca inventory.Lister // for example a *core.Client and a *czertainly.Client
//	systems := []inventory.System{{Name: "mdm", Lister: mdm}, {Name: "ca", Lister: ca}}
//	for cert, err := range inventory.Walk(ctx, systems) {
//		var failed *inventory.SystemError
//		if errors.As(err, &failed) { … } // that system is down; the others go on
//		if err != nil { … }
//		fmt.Println(cert.System, cert.Subject, cert.NotAfter)
//	}
package inventory

import (
	"context"
	"iter"
	"time"
)

// Certificate is what every system says about one certificate it holds.
// Fields a system does not report are left zero; Record is the vendor's own
// value for anything more.
type Certificate struct {
	// System is the name the caller gave the system in Walk ("" from a
	// vendor's CertificateInventory called directly).
	System string `json:"system,omitempty"`
	// Vendor names the package that read it: "mobileiron/core", "mimcm",
	// "czertainly", "enterpriseadmin".
	Vendor string `json:"vendor"`
	// ID is the vendor's own identifier of the certificate, as text.
	ID        string    `json:"id"`
	Subject   string    `json:"subject,omitempty"`
	SANs      []string  `json:"sans,omitempty"`
	Serial    string    `json:"serial,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	NotBefore time.Time `json:"notBefore,omitzero"`
	NotAfter  time.Time `json:"notAfter,omitzero"`
	// Status is the vendor's own word for the certificate's state.
	Status string `json:"status,omitempty"`
	// Retired is set when the vendor says the certificate is no longer in
	// use (revoked, in the trash, archived, its smart card retired), so a
	// check of what expires can leave it out; Status keeps the vendor's
	// word. An expired certificate is not retired by expiring: it may
	// still be deployed. Which states count, per vendor, is in FIELDS.md.
	Retired bool  `json:"retired,omitempty"`
	Owner   Owner `json:"owner,omitzero"`
	// Record is the vendor's own value (for example a core.Certificate or
	// a mimcm.InventoryItem).
	Record any `json:"-"`
}

// Owner is who or what a certificate belongs to.
type Owner struct {
	Kind OwnerKind `json:"kind,omitempty"`
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name,omitempty"`
}

// OwnerKind says what an Owner is.
type OwnerKind string

// The kinds of owner.
const (
	OwnerUser    OwnerKind = "user"
	OwnerDevice  OwnerKind = "device"
	OwnerProfile OwnerKind = "profile"
	// OwnerSystem is the system itself (a server's identity or trust
	// certificate).
	OwnerSystem OwnerKind = "system"
)

// Lister is anything that can list the certificates it holds, lazily.
type Lister interface {
	CertificateInventory(ctx context.Context) iter.Seq2[Certificate, error]
}
