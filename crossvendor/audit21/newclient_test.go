//go:build audit

package audit21

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

type ncCase struct {
	name string
	mk   func() error
}

// run calls mk, turning a panic into a failure.
func runNC(t *testing.T, vendor string, sentinel error, cases []ncCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(vendor+"/"+c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("PANIC: %v", r)
					}
				}()
				err = c.mk()
			}()
			switch {
			case err == nil:
				t.Errorf("NewClient accepted it (want an ErrInvalidInput error)")
			case !errors.Is(err, sentinel):
				t.Errorf("NewClient: %v (does not match %s.ErrInvalidInput)", err, vendor)
			}
		})
	}
}

var (
	plainHC   = &http.Client{}
	plainRT   = http.DefaultTransport.(*http.Transport).Clone()
	badCert   = tls.Certificate{}
	neg       = -time.Second
	badHeader = "X Bad Header"
)

// Issue: "Validate every option in NewClient. Today czertainly.WithTokenSource(nil)
// builds a client whose first call panics … (nil, empty, zero, negative,
// conflicting options: each must make NewClient return an error matching the
// package's ErrInvalidInput, never a panic or a failing first call)".
// Values a package documents as meaningful (WithRootCAs(nil) = system roots,
// WithTimeout(0) = no timeout, WithWaitTimeout(0) = context only,
// WithApprovalWait(0) = check once) are not tried.
func TestNewClientValidatesEveryOption(t *testing.T) {
	allNCCases(func(v string, s error, cs []ncCase) { runNC(t, v, s, cs) })
}

func allNCCases(runNC func(vendor string, sentinel error, cases []ncCase)) {
	const u = "https://host.example.com"

	c := func(o ...czertainly.Option) func() error {
		return func() error { _, err := czertainly.NewClient(u, o...); return err }
	}
	runNC("czertainly", czertainly.ErrInvalidInput, []ncCase{
		{"WithToken(nil)", c(czertainly.WithToken(nil))},
		{"WithToken(StaticToken(\"\"))", c(czertainly.WithToken(czertainly.StaticToken("")))},
		{"WithBearerToken(\"\")", c(czertainly.WithBearerToken(""))},
		{"WithSessionCookie(\"\")", c(czertainly.WithSessionCookie(""))},
		{"WithCertificateHeader(nil)", c(czertainly.WithCertificateHeader(nil))},
		{"WithCertificateHeaderName(\"\")", c(czertainly.WithCertificateHeaderName(""))},
		{"WithCertificateHeaderName(bad)", c(czertainly.WithCertificateHeaderName(badHeader))},
		{"WithHTTPClient(nil)", c(czertainly.WithHTTPClient(nil))},
		{"WithTransport(nil)", c(czertainly.WithTransport(nil))},
		{"WithCookieJar(nil)", c(czertainly.WithCookieJar(nil))},
		{"WithLogger(nil)", c(czertainly.WithLogger(nil))},
		{"WithUserAgent(\"\")", c(czertainly.WithUserAgent(""))},
		{"WithClientCertificate(empty)", c(czertainly.WithClientCertificate(badCert))},
		{"WithHeader(\"\",v)", c(czertainly.WithHeader("", "v"))},
		{"WithHeader(bad,v)", c(czertainly.WithHeader(badHeader, "v"))},
		{"WithMaxAttempts(0)", c(czertainly.WithMaxAttempts(0))},
		{"WithMaxAttempts(-1)", c(czertainly.WithMaxAttempts(-1))},
		{"WithTimeout(-1s)", c(czertainly.WithTimeout(neg))},
		{"WithRetry(MaxAttempts -1)", c(czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: -1}))},
		{"WithRetry(negative delay)", c(czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 2, BaseDelay: neg}))},
		{"WithPollInterval(0)", c(czertainly.WithPollInterval(0))},
		{"WithPollInterval(-1s)", c(czertainly.WithPollInterval(neg))},
		{"WithWaitTimeout(-1s)", c(czertainly.WithWaitTimeout(neg))},
		{"WithApprovalWait(-1s)", c(czertainly.WithApprovalWait(neg))},
		{"WithProgress(nil)", c(czertainly.WithProgress(nil))},
		{"WithHTTPClient+WithTransport", c(czertainly.WithHTTPClient(plainHC), czertainly.WithTransport(plainRT))},
		{"WithToken+WithBearerToken", c(czertainly.WithToken(czertainly.StaticToken("a")), czertainly.WithBearerToken("b"))},
		{"WithClientCertificate over http", func() error {
			_, err := czertainly.NewClient("http://host.example.com", czertainly.WithClientCertificate(tlsCert()))
			return err
		}},
	})

	m := func(o ...mimcm.Option) func() error {
		return func() error { _, err := mimcm.NewClient(u, o...); return err }
	}
	runNC("mimcm", mimcm.ErrInvalidInput, []ncCase{
		{"WithToken(nil)", m(mimcm.WithToken(nil))},
		{"WithToken(StaticToken(\"\"))", m(mimcm.WithToken(mimcm.StaticToken("")))},
		{"WithBasicAuth(\"\",\"\")", m(mimcm.WithBasicAuth("", ""))},
		{"WithNTLM(\"\",\"\")", m(mimcm.WithNTLM("", ""))},
		{"WithNegotiate(\"\",nil)", m(mimcm.WithNegotiate("", nil))},
		{"WithBasicAuth+WithToken", m(mimcm.WithBasicAuth("u", "p"), mimcm.WithToken(mimcm.StaticToken("t")))},
		{"WithHTTPClient(nil)", m(mimcm.WithHTTPClient(nil))},
		{"WithTransport(nil)", m(mimcm.WithTransport(nil))},
		{"WithCookieJar(nil)", m(mimcm.WithCookieJar(nil))},
		{"WithLogger(nil)", m(mimcm.WithLogger(nil))},
		{"WithUserAgent(\"\")", m(mimcm.WithUserAgent(""))},
		{"WithClientCertificate(empty)", m(mimcm.WithClientCertificate(badCert))},
		{"WithHeader(\"\",v)", m(mimcm.WithHeader("", "v"))},
		{"WithHeader(bad,v)", m(mimcm.WithHeader(badHeader, "v"))},
		{"WithMaxAttempts(0)", m(mimcm.WithMaxAttempts(0))},
		{"WithMaxAttempts(-1)", m(mimcm.WithMaxAttempts(-1))},
		{"WithTimeout(-1s)", m(mimcm.WithTimeout(neg))},
		{"WithRetry(MaxAttempts -1)", m(mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: -1}))},
		{"WithRetry(negative delay)", m(mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 2, BaseDelay: neg}))},
		{"WithPollInterval(0)", m(mimcm.WithPollInterval(0))},
		{"WithPollInterval(-1s)", m(mimcm.WithPollInterval(neg))},
		{"WithApprovalWait(-1s)", m(mimcm.WithApprovalWait(neg))},
		{"WithProgress(nil)", m(mimcm.WithProgress(nil))},
		{"WithHTTPClient+WithTransport", m(mimcm.WithHTTPClient(plainHC), mimcm.WithTransport(plainRT))},
	})

	e := func(o ...enterpriseadmin.Option) func() error {
		return func() error { _, err := enterpriseadmin.NewClient(u+"/arcgis", o...); return err }
	}
	runNC("enterpriseadmin", enterpriseadmin.ErrInvalidInput, []ncCase{
		{"WithToken(nil)", e(enterpriseadmin.WithToken(nil))},
		{"WithToken(StaticToken(\"\"))", e(enterpriseadmin.WithToken(enterpriseadmin.StaticToken("")))},
		{"WithCredentials(\"\",\"\")", e(enterpriseadmin.WithCredentials("", ""))},
		{"WithCredentials+WithToken", e(enterpriseadmin.WithCredentials("u", "p"), enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t")))},
		{"WithReferer(\"\")", e(enterpriseadmin.WithReferer(""))},
		{"WithRefreshMargin(-1s)", e(enterpriseadmin.WithRefreshMargin(neg))},
		{"WithTokenExpiration(0)", e(enterpriseadmin.WithTokenExpiration(0))},
		{"WithTokenExpiration(-1m)", e(enterpriseadmin.WithTokenExpiration(-time.Minute))},
		{"WithWebContext(\"\")", func() error {
			_, err := enterpriseadmin.NewClient(u, enterpriseadmin.WithWebContext(""))
			return err
		}},
		{"WithWebContext + path", e(enterpriseadmin.WithWebContext("arcgis"))},
		{"WithHTTPClient(nil)", e(enterpriseadmin.WithHTTPClient(nil))},
		{"WithTransport(nil)", e(enterpriseadmin.WithTransport(nil))},
		{"WithCookieJar(nil)", e(enterpriseadmin.WithCookieJar(nil))},
		{"WithLogger(nil)", e(enterpriseadmin.WithLogger(nil))},
		{"WithUserAgent(\"\")", e(enterpriseadmin.WithUserAgent(""))},
		{"WithClientCertificate(empty)", e(enterpriseadmin.WithClientCertificate(badCert))},
		{"WithHeader(\"\",v)", e(enterpriseadmin.WithHeader("", "v"))},
		{"WithHeader(bad,v)", e(enterpriseadmin.WithHeader(badHeader, "v"))},
		{"WithMaxAttempts(0)", e(enterpriseadmin.WithMaxAttempts(0))},
		{"WithMaxAttempts(-1)", e(enterpriseadmin.WithMaxAttempts(-1))},
		{"WithTimeout(-1s)", e(enterpriseadmin.WithTimeout(neg))},
		{"WithRetry(MaxAttempts -1)", e(enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{MaxAttempts: -1}))},
		{"WithPollInterval(0)", e(enterpriseadmin.WithPollInterval(0))},
		{"WithPollInterval(-1s)", e(enterpriseadmin.WithPollInterval(neg))},
		{"WithWaitTimeout(-1s)", e(enterpriseadmin.WithWaitTimeout(neg))},
		{"WithProgress(nil)", e(enterpriseadmin.WithProgress(nil))},
		{"WithHTTPClient+WithTransport", e(enterpriseadmin.WithHTTPClient(plainHC), enterpriseadmin.WithTransport(plainRT))},
	})

	k := func(o ...core.Option) func() error {
		return func() error { _, err := core.NewClient(u, o...); return err }
	}
	runNC("core", core.ErrInvalidInput, []ncCase{
		{"WithBasicAuth(\"\",\"\")", k(core.WithBasicAuth("", ""))},
		{"WithAdminDeviceSpaceID(0)", k(core.WithAdminDeviceSpaceID(0))},
		{"WithAdminDeviceSpaceID(-1)", k(core.WithAdminDeviceSpaceID(-1))},
		{"WithInventoryCESettings()", k(core.WithInventoryCESettings())},
		{"WithInventoryCESettings(\"\")", k(core.WithInventoryCESettings(""))},
		{"WithHTTPClient(nil)", k(core.WithHTTPClient(nil))},
		{"WithTransport(nil)", k(core.WithTransport(nil))},
		{"WithCookieJar(nil)", k(core.WithCookieJar(nil))},
		{"WithLogger(nil)", k(core.WithLogger(nil))},
		{"WithUserAgent(\"\")", k(core.WithUserAgent(""))},
		{"WithClientCertificate(empty)", k(core.WithClientCertificate(badCert))},
		{"WithHeader(\"\",v)", k(core.WithHeader("", "v"))},
		{"WithMaxAttempts(0)", k(core.WithMaxAttempts(0))},
		{"WithMaxAttempts(-1)", k(core.WithMaxAttempts(-1))},
		{"WithTimeout(-1s)", k(core.WithTimeout(neg))},
		{"WithRetry(MaxAttempts -1)", k(core.WithRetry(core.RetryPolicy{MaxAttempts: -1}))},
		{"WithPollInterval(0)", k(core.WithPollInterval(0))},
		{"WithPollInterval(-1s)", k(core.WithPollInterval(neg))},
		{"WithWaitTimeout(-1s)", k(core.WithWaitTimeout(neg))},
		{"WithPollBackoff(0,1m)", k(core.WithPollBackoff(0, time.Minute))},
		{"WithPollBackoff(0.5,1m)", k(core.WithPollBackoff(0.5, time.Minute))},
		{"WithPollBackoff(1.5,-1s)", k(core.WithPollBackoff(1.5, neg))},
		{"WithProgress(nil)", k(core.WithProgress(nil))},
		{"WithHTTPClient+WithTransport", k(core.WithHTTPClient(plainHC), core.WithTransport(plainRT))},
	})

	l := func(o ...cloud.Option) func() error {
		return func() error { _, err := cloud.NewClient(u, o...); return err }
	}
	runNC("cloud", cloud.ErrInvalidInput, []ncCase{
		{"WithBasicAuth(\"\",\"\")", l(cloud.WithBasicAuth("", ""))},
		{"WithHTTPClient(nil)", l(cloud.WithHTTPClient(nil))},
		{"WithTransport(nil)", l(cloud.WithTransport(nil))},
		{"WithCookieJar(nil)", l(cloud.WithCookieJar(nil))},
		{"WithLogger(nil)", l(cloud.WithLogger(nil))},
		{"WithUserAgent(\"\")", l(cloud.WithUserAgent(""))},
		{"WithHeader(\"\",v)", l(cloud.WithHeader("", "v"))},
		{"WithMaxAttempts(0)", l(cloud.WithMaxAttempts(0))},
		{"WithTimeout(-1s)", l(cloud.WithTimeout(neg))},
		{"WithPollInterval(0)", l(cloud.WithPollInterval(0))},
		{"WithPollInterval(-1s)", l(cloud.WithPollInterval(neg))},
		{"WithWaitTimeout(-1s)", l(cloud.WithWaitTimeout(neg))},
		{"WithProgress(nil)", l(cloud.WithProgress(nil))},
		{"WithHTTPClient+WithTransport", l(cloud.WithHTTPClient(plainHC), cloud.WithTransport(plainRT))},
	})

	a := func(o ...adminv1.Option) func() error {
		return func() error { _, err := adminv1.NewClient(u+"/api", o...); return err }
	}
	runNC("adminv1", adminv1.ErrInvalidInput, []ncCase{
		{"WithClientCertificateFiles(\"\",\"\")", a(adminv1.WithClientCertificateFiles("", ""))},
		{"WithClientCertificateFiles(missing)", a(adminv1.WithClientCertificateFiles("/nonexistent/c.pem", "/nonexistent/k.pem"))},
		{"WithRootCAFile(\"\")", a(adminv1.WithRootCAFile(""))},
		{"WithRootCAFile(missing)", a(adminv1.WithRootCAFile("/nonexistent/ca.pem"))},
		{"WithCertificateHeader(nil)", a(adminv1.WithCertificateHeader(nil))},
		{"WithCertificateHeaderName(\"\")", a(adminv1.WithCertificateHeaderName(""))},
		{"WithHTTPClient(nil)", a(adminv1.WithHTTPClient(nil))},
		{"WithTransport(nil)", a(adminv1.WithTransport(nil))},
		{"WithCookieJar(nil)", a(adminv1.WithCookieJar(nil))},
		{"WithLogger(nil)", a(adminv1.WithLogger(nil))},
		{"WithUserAgent(\"\")", a(adminv1.WithUserAgent(""))},
		{"WithClientCertificate(empty)", a(adminv1.WithClientCertificate(badCert))},
		{"WithHeader(\"\",v)", a(adminv1.WithHeader("", "v"))},
		{"WithMaxAttempts(0)", a(adminv1.WithMaxAttempts(0))},
		{"WithTimeout(-1s)", a(adminv1.WithTimeout(neg))},
		{"WithHTTPClient+WithTransport", a(adminv1.WithHTTPClient(plainHC), adminv1.WithTransport(plainRT))},
	})
}

// Issue: "Error text: the plain-HTTP refusal message prints its reason
// twice." The same defect in any other NewClient refusal: no message of the
// option probes above repeats a run of 4 words.
func TestNewClientRefusalsSayItOnce(t *testing.T) {
	var refusals []string
	allNCCases(func(v string, _ error, cs []ncCase) {
		for _, c := range cs {
			if err := safely(c.mk); err != nil {
				refusals = append(refusals, v+"/"+c.name+": "+err.Error())
			}
		}
	})
	if len(refusals) < 20 {
		t.Fatalf("only %d refusals collected", len(refusals))
	}
	for _, m := range refusals {
		if r := repeated(m, 4); r != "" {
			t.Errorf("repeats %q: %s", r, m)
		}
	}
}
