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
	_, coreErr := coreC.GetUserProvidedCertificate(ctx, "", "")
	cloudC, err := cloud.NewClient("https://cloud.example.test", cloud.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer cloudC.Close()
	cloudErr := cloudC.DeleteAccount(ctx, -1)

	matches := func(err error) map[string]bool {
		var (
			e1 *core.Error
			e2 *cloud.Error
			e3 *mimcm.Error
			e4 *czertainly.Error
			e5 *adminv1.Error
			e6 *enterpriseadmin.Error
		)
		return map[string]bool{
			"core": errors.As(err, &e1), "cloud": errors.As(err, &e2), "mimcm": errors.As(err, &e3),
			"czertainly": errors.As(err, &e4), "adminv1": errors.As(err, &e5), "enterpriseadmin": errors.As(err, &e6),
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
