package crossvendor_test

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// Every certificate-holding vendor client is an inventory.Lister: a
// program walks each system the same way (issue 22).
var (
	_ inventory.Lister = (*core.Client)(nil)
	_ inventory.Lister = (*mimcm.Client)(nil)
	_ inventory.Lister = (*czertainly.Client)(nil)
	_ inventory.Lister = (*enterpriseadmin.Client)(nil)
)

// Each Lister, walked through the interface against its fake, yields
// certificates named by its vendor, each with an ID and an expiry, and no
// error.
func TestEveryListerWalksItsFake(t *testing.T) {
	must := func(c any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	coreSrv := coretest.NewTestServer(t)
	mimcmSrv := mimcmtest.NewTestServer(t)
	czSrv := czertainlytest.NewTestServer(t)
	eaSrv := enterpriseadmintest.NewTestServer(t)
	listers := map[string]inventory.Lister{
		"mobileiron/core": must(coreSrv.NewClient()).(*core.Client),
		"mimcm":           must(mimcmSrv.NewClient()).(*mimcm.Client),
		"czertainly":      must(czSrv.NewClient()).(*czertainly.Client),
		"enterpriseadmin": must(eaSrv.NewClient()).(*enterpriseadmin.Client),
	}
	for vendor, l := range listers {
		n := 0
		for crt, err := range l.CertificateInventory(context.Background()) {
			if err != nil {
				t.Fatalf("%s: %v", vendor, err)
			}
			n++
			if crt.Vendor != vendor || crt.ID == "" || crt.System != "" || crt.Record == nil {
				t.Errorf("%s: %+v: want Vendor %q, an ID, no System, a Record", vendor, crt, vendor)
			}
		}
		if n == 0 {
			t.Errorf("%s: no certificate", vendor)
		}
	}
}
