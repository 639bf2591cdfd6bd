package crossvendor_test

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// commonOptions are the options every vendor package generates, each in
// a form that cannot work: every NewClient refuses them with
// ErrInvalidInput instead of building a client that panics or fails
// every call later. good is the same option in a usable form, which must
// build (so the refusal is about the value, not the option).
type commonOptions[O any] struct {
	newClient func(opts ...O) error
	bad       map[string]O
	good      []O
}

func checkCommonOptions[O any](t *testing.T, vendor string, c commonOptions[O]) {
	t.Helper()
	if err := c.newClient(c.good...); err != nil {
		t.Errorf("%s: the usable options are refused: %v", vendor, err)
	}
	for name, o := range c.bad {
		err := c.newClient(o)
		if !errors.Is(err, core.ErrInvalidInput) {
			t.Errorf("%s.NewClient(…, %s) = %v, want ErrInvalidInput", vendor, name, err)
		}
	}
}

func TestEveryNewClientRefusesUnusableCommonOptions(t *testing.T) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var nilJar *cookiejar.Jar
	const base = "https://vendor.example.test"

	checkCommonOptions(t, "core", commonOptions[core.Option]{
		newClient: func(o ...core.Option) error {
			_, err := core.NewClient(base, append([]core.Option{core.WithBasicAuth("u", "p")}, o...)...)
			return err
		},
		bad: map[string]core.Option{
			"WithHTTPClient(nil)": core.WithHTTPClient(nil), "WithTransport(nil)": core.WithTransport(nil), "WithCookieJar(nil)": core.WithCookieJar(nil),
			"WithCookieJar((*cookiejar.Jar)(nil))": core.WithCookieJar(nilJar),
			"WithTimeout(-1)":                      core.WithTimeout(-1), "WithMaxAttempts(-1)": core.WithMaxAttempts(-1),
		},
		good: []core.Option{core.WithHTTPClient(&http.Client{}), core.WithCookieJar(jar), core.WithTimeout(0), core.WithMaxAttempts(1)},
	})
	checkCommonOptions(t, "cloud", commonOptions[cloud.Option]{
		newClient: func(o ...cloud.Option) error {
			_, err := cloud.NewClient(base, append([]cloud.Option{cloud.WithBasicAuth("u", "p")}, o...)...)
			return err
		},
		bad: map[string]cloud.Option{
			"WithHTTPClient(nil)": cloud.WithHTTPClient(nil), "WithTransport(nil)": cloud.WithTransport(nil), "WithCookieJar(nil)": cloud.WithCookieJar(nil),
			"WithTimeout(-1)": cloud.WithTimeout(-1), "WithMaxAttempts(-1)": cloud.WithMaxAttempts(-1),
		},
		good: []cloud.Option{cloud.WithHTTPClient(&http.Client{}), cloud.WithCookieJar(jar)},
	})
	checkCommonOptions(t, "mimcm", commonOptions[mimcm.Option]{
		newClient: func(o ...mimcm.Option) error {
			_, err := mimcm.NewClient(base, append([]mimcm.Option{mimcm.WithBasicAuth("u", "p")}, o...)...)
			return err
		},
		bad: map[string]mimcm.Option{
			"WithHTTPClient(nil)": mimcm.WithHTTPClient(nil), "WithTransport(nil)": mimcm.WithTransport(nil), "WithCookieJar(nil)": mimcm.WithCookieJar(nil),
			"WithTimeout(-1)": mimcm.WithTimeout(-1), "WithMaxAttempts(-1)": mimcm.WithMaxAttempts(-1),
			"WithToken(nil)": mimcm.WithToken(nil),
		},
		good: []mimcm.Option{mimcm.WithHTTPClient(&http.Client{}), mimcm.WithCookieJar(jar)},
	})
	checkCommonOptions(t, "czertainly", commonOptions[czertainly.Option]{
		newClient: func(o ...czertainly.Option) error {
			_, err := czertainly.NewClient(base, append([]czertainly.Option{czertainly.WithBearerToken("t")}, o...)...)
			return err
		},
		bad: map[string]czertainly.Option{
			"WithHTTPClient(nil)": czertainly.WithHTTPClient(nil), "WithTransport(nil)": czertainly.WithTransport(nil), "WithCookieJar(nil)": czertainly.WithCookieJar(nil),
			"WithTimeout(-1)": czertainly.WithTimeout(-1), "WithMaxAttempts(-1)": czertainly.WithMaxAttempts(-1),
		},
		good: []czertainly.Option{czertainly.WithHTTPClient(&http.Client{}), czertainly.WithCookieJar(jar)},
	})
	checkCommonOptions(t, "adminv1", commonOptions[adminv1.Option]{
		newClient: func(o ...adminv1.Option) error {
			_, err := adminv1.NewClient(base+"/api", o...)
			return err
		},
		bad: map[string]adminv1.Option{
			"WithHTTPClient(nil)": adminv1.WithHTTPClient(nil), "WithTransport(nil)": adminv1.WithTransport(nil), "WithCookieJar(nil)": adminv1.WithCookieJar(nil),
			"WithTimeout(-1)": adminv1.WithTimeout(-1), "WithMaxAttempts(-1)": adminv1.WithMaxAttempts(-1),
		},
		good: []adminv1.Option{adminv1.WithHTTPClient(&http.Client{}), adminv1.WithCookieJar(jar)},
	})
	checkCommonOptions(t, "enterpriseadmin", commonOptions[enterpriseadmin.Option]{
		newClient: func(o ...enterpriseadmin.Option) error {
			_, err := enterpriseadmin.NewClient(base+"/arcgis", append([]enterpriseadmin.Option{enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t"))}, o...)...)
			return err
		},
		bad: map[string]enterpriseadmin.Option{
			"WithHTTPClient(nil)": enterpriseadmin.WithHTTPClient(nil), "WithTransport(nil)": enterpriseadmin.WithTransport(nil), "WithCookieJar(nil)": enterpriseadmin.WithCookieJar(nil),
			"WithTimeout(-1)": enterpriseadmin.WithTimeout(-1), "WithMaxAttempts(-1)": enterpriseadmin.WithMaxAttempts(-1),
			"WithToken(nil)": enterpriseadmin.WithToken(nil),
		},
		good: []enterpriseadmin.Option{enterpriseadmin.WithHTTPClient(&http.Client{}), enterpriseadmin.WithCookieJar(jar)},
	})
}
