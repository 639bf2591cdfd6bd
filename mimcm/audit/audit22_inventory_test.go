//go:build audit

package audit_test

// Audit round 22: mimcm.Client.CertificateInventory.
//
// Evidence (/work/shared/reference/mimcm/):
//   get-user-certificates.md: GET /certificates returns the certificates
//     associated with the user (X509ClmCertificate: NotBefore, NotAfter,
//     Issuer, SerialNumber, Thumbprint, ...); its example answer lists
//     certificates with NotAfter 2016-... (lines 86-220).
//   get-smartcard-profile-certificates.md: GET profiles/{id}/certificates
//     and smartcards/{id}/certificates; its example (lines 90-126) holds four
//     other thumbprints, without validity dates.

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// Finding: the inventory walks only the profiles' and smart cards'
// certificate lists and uses the user's list (the one call that carries
// validity dates) only to fill dates in. A certificate the user's list
// holds that no profile or card list names never reaches the inventory.
// On the fake, which serves the vendor's samples, every certificate of the
// user's list is missing and every certificate the inventory does yield
// has no expiry date, so cert-expiry sees nothing to judge for MIM CM.
func TestAudit22MIMInventoryOmitsUserCertificates(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, err := c.ListUserCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(user) == 0 {
		t.Fatal("the fake's user has no certificates; the probe needs the vendor's sample")
	}
	inv := map[string]bool{}
	dated := 0
	for crt, err := range c.CertificateInventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		inv[crt.ID] = true
		if !crt.NotAfter.IsZero() {
			dated++
		}
	}
	missing := 0
	for _, u := range user {
		if !inv[u.Thumbprint] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the user's %d certificates (GET /certificates, with NotAfter) are not in the inventory; the inventory's %d certificates carry %d expiry dates",
			missing, len(user), len(inv), dated)
	}
}
