//go:build audit

package audit21

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// Issue: "core.NewClient refuses a base URL that already ends in /api/v2, as
// mimcm refuses its equivalent; today it calls /api/v2/api/v2/… and gets a
// bare 404." Spellings a user might paste, each refused with ErrInvalidInput.
func TestCoreRefusesBaseURLWithAPIPath(t *testing.T) {
	for _, u := range []string{
		"https://core.example.com/api/v2",
		"https://core.example.com/api/v2/",
		"https://core.example.com/API/V2",
		"https://core.example.com/mdm/api/v2",
		"https://core.example.com/api/v2/certificates",
	} {
		_, err := core.NewClient(u, core.WithBasicAuth("u", "p"))
		if !errors.Is(err, core.ErrInvalidInput) {
			t.Errorf("core.NewClient(%q) = %v, want ErrInvalidInput", u, err)
		}
	}
	if _, err := core.NewClient("https://core.example.com/mdm", core.WithBasicAuth("u", "p")); err != nil {
		t.Errorf("a proxy prefix without /api/v2 must be accepted: %v", err)
	}
}

// The mimcm equivalent the issue points at.
func TestMIMCMRefusesBaseURLWithAPIPath(t *testing.T) {
	for _, u := range []string{
		"https://cm.example.com/CertificateManagement/api/v1.0",
		"https://cm.example.com/CertificateManagement/api/v1.0/",
		"https://cm.example.com/certificatemanagement/API/v1.0",
	} {
		_, err := mimcm.NewClient(u, mimcm.WithBasicAuth("u", "p"))
		if !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Errorf("mimcm.NewClient(%q) = %v, want ErrInvalidInput", u, err)
		}
	}
}

// Beyond the letter, same class: Cloud appends /api/v1 per call.
func TestCloudRefusesBaseURLWithAPIPath(t *testing.T) {
	for _, u := range []string{"https://na1.mobileiron.com/api/v1", "https://na1.mobileiron.com/api/v1/"} {
		_, err := cloud.NewClient(u, cloud.WithBasicAuth("u", "p"))
		if !errors.Is(err, cloud.ErrInvalidInput) {
			t.Errorf("cloud.NewClient(%q) = %v, want ErrInvalidInput", u, err)
		}
	}
}

// repeated returns a run of n words that occurs twice in s, "" if none.
func repeated(s string, n int) string {
	w := strings.Fields(strings.ToLower(strings.NewReplacer(":", " ", ";", " ", ",", " ", "(", " ", ")", " ", ".", " ").Replace(s)))
	seen := map[string]bool{}
	for i := 0; i+n <= len(w); i++ {
		k := strings.Join(w[i:i+n], " ")
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	return ""
}

// Issue: "Error text: the plain-HTTP refusal message prints its reason
// twice." Each vendor's refusal (credentials over http:// to a host that is
// not loopback) matches ErrPlainHTTP and repeats no run of 4 words.
func TestPlainHTTPRefusalSaysItOnce(t *testing.T) {
	const host = "http://192.0.2.1" // TEST-NET-1, never reached
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	try := map[string]func() (error, error){
		"core": func() (error, error) {
			c, err := core.NewClient(host, core.WithBasicAuth("u", "p"))
			if err == nil {
				_, err = c.CertificateExportStatus(ctx)
			}
			return err, core.ErrPlainHTTP
		},
		"cloud": func() (error, error) {
			c, err := cloud.NewClient(host, cloud.WithBasicAuth("u", "p"))
			if err == nil {
				_, err = c.GetAccountByUID(ctx, "x")
			}
			return err, cloud.ErrPlainHTTP
		},
		"mimcm": func() (error, error) {
			c, err := mimcm.NewClient(host, mimcm.WithBasicAuth("u", "p"))
			if err == nil {
				_, err = c.ListProfileTemplates(ctx)
			}
			return err, mimcm.ErrPlainHTTP
		},
		"czertainly": func() (error, error) {
			c, err := czertainly.NewClient(host, czertainly.WithBearerToken("t"))
			if err == nil {
				_, err = c.GetCertificate(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			}
			return err, czertainly.ErrPlainHTTP
		},
		"adminv1": func() (error, error) {
			c, err := adminv1.NewClient(host+"/api", adminv1.WithCertificateHeader(tlsLeaf()))
			if err == nil {
				_, err = c.GetAdmin(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			}
			return err, adminv1.ErrPlainHTTP
		},
		"enterpriseadmin": func() (error, error) {
			c, err := enterpriseadmin.NewClient(host+"/arcgis", enterpriseadmin.WithCredentials("u", "p"))
			if err == nil {
				_, err = c.GetIdentityCertificate(ctx, "x")
			}
			return err, enterpriseadmin.ErrPlainHTTP
		},
	}
	for v, f := range try {
		err, sentinel := f()
		if !errors.Is(err, sentinel) {
			t.Errorf("%s: %v, want ErrPlainHTTP", v, err)
			continue
		}
		t.Logf("%s: %v", v, err)
		if r := repeated(err.Error(), 4); r != "" {
			t.Errorf("%s: the refusal repeats %q:\n%s", v, r, err)
		}
	}
}

// The same refusal on the call path: a request given to Do for a plain-http
// URL of a host that is not loopback, on a client built for https.
func TestPlainHTTPRefusalOnCallPathSaysItOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mimcm.NewClient("https://cm.example.com", mimcm.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://192.0.2.1/CertificateManagement/api/v1.0/profiletemplates", nil)
	err = c.Do(ctx, req, nil)
	t.Logf("mimcm Do: %v", err)
	if err == nil {
		t.Fatal("Do sent credentials over plain http")
	}
	if !errors.Is(err, mimcm.ErrPlainHTTP) {
		t.Logf("not ErrPlainHTTP (another refusal): %v", err)
		return
	}
	if r := repeated(err.Error(), 4); r != "" {
		t.Errorf("the refusal repeats %q:\n%s", r, err)
	}
}
