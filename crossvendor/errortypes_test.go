package crossvendor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// Each vendor's Error type matches only that vendor's errors: a program
// that uses two clients must be able to tell whose call failed with
// errors.As. Before, every vendor's type matched every vendor's error.
func TestEachVendorErrorTypeMatchesOnlyItsOwnErrors(t *testing.T) {
	ctx := context.Background()
	// An invalid-input error from each client, refused before sending.
	coreC, err := core.NewClient("https://core.example.test", core.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer coreC.Close()
	_, coreErr := coreC.GetUserProvidedCertificate(ctx, 0, "")
	cloudC, err := cloud.NewClient("https://cloud.example.test", cloud.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer cloudC.Close()
	cloudErr := cloudC.DeleteAccount(ctx, -1)

	// One line per vendor: whether its Error type matches err.
	matches := func(err error) map[string]bool {
		return map[string]bool{
			"core":            as[*core.Error](err),
			"cloud":           as[*cloud.Error](err),
			"mimcm":           as[*mimcm.Error](err),
			"czertainly":      as[*czertainly.Error](err),
			"adminv1":         as[*adminv1.Error](err),
			"enterpriseadmin": as[*enterpriseadmin.Error](err),
		}
	}
	for vendor, err := range map[string]error{"core": coreErr, "cloud": cloudErr} {
		if err == nil {
			t.Fatalf("%s: the invalid call returned no error", vendor)
		}
		for other, ok := range matches(err) {
			if ok != (other == vendor) {
				t.Errorf("errors.As(%s error, *%s.Error) = %v", vendor, other, ok)
			}
		}
	}
}

// as reports whether errors.As finds an E in err.
func as[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}
