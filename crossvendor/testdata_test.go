package crossvendor_test

import (
	"testing"

	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestNoSecretInAnyTestdata scans every testdata folder of the module for
// the proof suite's secrets and for credentials in header form. Each
// vendor's secrets proof scans its own folder with the session tokens its
// fake issued as well; this scan covers the folders no vendor owns.
func TestNoSecretInAnyTestdata(t *testing.T) {
	s, d := proof.LeakSecrets, proof.DefaultSecrets
	proof.CheckTestdata(t, "..", []string{s.Password, s.Token, s.PKCS12, s.Password + "-new", d.Password, d.Token, d.PKCS12, d.Password + "-new"})
}
