package czertainlytest_test

import (
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// A negative count is an error, as in the other fakes; zero adds nothing.
func TestAddGeneratedCertificatesRefusesANegativeCount(t *testing.T) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.AddGeneratedCertificates(-1, time.Hour); err == nil {
		t.Error("AddGeneratedCertificates(-1) succeeded, want an error")
	}
	if err := srv.AddGeneratedCertificates(0, time.Hour); err != nil {
		t.Errorf("AddGeneratedCertificates(0): %v", err)
	}
}
