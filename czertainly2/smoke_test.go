package czertainly_test

import (
	"context"
	"crypto/x509/pkix"
	"testing"

	czertainly "github.com/certadmin/certadmin-go/czertainly2"
)

func TestSmoke(t *testing.T) {
	_, c := newFake(t, nil)
	ctx := context.Background()
	n := 0
	for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		_ = crt
	}
	if n != 5 {
		t.Fatalf("listed %d", n)
	}
	e, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Leaf.Subject.CommonName != "www.example.com" || len(e.Chain) != 1 {
		t.Fatalf("%v %d", e.Leaf.Subject, len(e.Chain))
	}
}
