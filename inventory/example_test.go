package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/certadmin/certadmin-go/inventory"
)

// staticLister stands in for a vendor's *Client.
type staticLister struct {
	certs []inventory.Certificate
	err   error
}

func (s staticLister) CertificateInventory(context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for _, c := range s.certs {
			if !yield(c, nil) {
				return
			}
		}
		if s.err != nil {
			yield(inventory.Certificate{}, s.err)
		}
	}
}

// Walk every system; a system that fails is reported and the others are
// still read. In a program the Listers are vendor clients, for example
// a *czertainly.Client and an *enterpriseadmin.Client.
func ExampleWalk() {
	soon := time.Date(2030, 1, 10, 0, 0, 0, 0, time.UTC)
	systems := []inventory.System{
		{Name: "ilm", Lister: staticLister{certs: []inventory.Certificate{{Vendor: "czertainly", ID: "1f0c", Subject: "CN=api.example.com", NotAfter: soon}}}},
		{Name: "gis", Lister: staticLister{err: errors.New("connection refused")}},
	}
	for c, err := range inventory.Walk(context.Background(), systems, inventory.WithConcurrency(1)) {
		var se *inventory.SystemError
		if errors.As(err, &se) {
			fmt.Println("cannot read", se.System+":", se.Err)
			continue
		}
		if err != nil {
			fmt.Println(err) // ctx cancelled
			return
		}
		fmt.Println(c.System, c.Subject, c.NotAfter.Format(time.DateOnly))
	}
	// Output:
	// ilm CN=api.example.com 2030-01-10
	// cannot read gis: connection refused
}
