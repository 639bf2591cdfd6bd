package crossvendor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// Invariant 4, answers: a list answered with an HTML page, with the
// vendor's error inside a 200, or with a body cut short is an error, never
// a list (least of all an empty one). Each vendor's list paths get every
// row, and every error shape the vendor's server sends gets a row of its
// own served with status 200: a server (or a proxy) that answers a list
// call with one must not pass for a list with nothing in it. The repeated
// page is TestInvariantPagingStopsOnARepeatedPage's.

// listPath is one list call of a vendor, against a fresh fake.
type listPath struct {
	vendor, name string
	method, path string
	errorShapes  []string
	setUp        func(t *testing.T) (inject func(fakeserver.Fault), clear func(), call func(ctx context.Context) error)
}

// Error bodies as each vendor's server writes them, from the shapes its
// package's decodeError reads (see each package's errors.go and doc).
var (
	coreErrorShapes  = []string{`{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.Fake.FAILED","localizedMessage":"the operation failed","messageParameters":[]}]}`}
	cloudErrorShapes = []string{`{"errors":{"globalErrors":[{"code":"PROOF-1","message":"the tenant refused the call"}],"fieldErrors":null},"result":null}`}
	mimcmErrorShapes = []string{
		`{"Message":"An error has occurred."}`,
		`{"Message":"An error has occurred.","ExceptionMessage":"Access is denied.","ExceptionType":"System.UnauthorizedAccessException","StackTrace":null}`,
		`"An error has occurred."`,
	}
	czertainlyErrorShapes = []string{
		`{"message":"Internal error"}`,
		`["the request is not valid"]`,
		`{"statusCode":403,"code":"ACCESS_DENIED","message":"access denied"}`,
		`{"type":"about:blank","title":"Bad Request","status":400,"detail":"name already exists","code":"ENTITY_NOT_UNIQUE"}`,
		`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/certificates"}`,
	}
	adminv1ErrorShapes = []string{
		`{"message":"Internal error"}`,
		`["the request is not valid"]`,
		`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/admins"}`,
	}
	enterpriseErrorShapes = []string{`{"error":{"code":500,"message":"Unable to complete the operation.","details":["the server failed"]}}`}
)

func fastCore(t *testing.T) (func(fakeserver.Fault), func(), *core.Client) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(core.WithRetry(core.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) }, srv.ClearFaults, c
}

func fastCloud(t *testing.T) (func(fakeserver.Fault), func(), *cloud.Client) {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(cloudtest.Fault(f)) }, srv.ClearFaults, c
}

func fastMIMCM(t *testing.T) (func(fakeserver.Fault), func(), *mimcm.Client) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(mimcm.WithRetry(mimcm.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(mimcmtest.Fault(f)) }, srv.ClearFaults, c
}

func fastCzertainly(t *testing.T) (func(fakeserver.Fault), func(), *czertainly.Client) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(czertainly.WithRetry(czertainly.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(czertainlytest.Fault(f)) }, srv.ClearFaults, c
}

func fastAdminV1(t *testing.T) (func(fakeserver.Fault), func(), *adminv1.Client) {
	srv, err := adminv1test.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(adminv1.WithRetry(adminv1.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(adminv1test.Fault(f)) }, srv.ClearFaults, c
}

func fastEnterprise(t *testing.T) (func(fakeserver.Fault), func(), *enterpriseadmin.Client) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy(proof.Retry)))
	if err != nil {
		t.Fatal(err)
	}
	return func(f fakeserver.Fault) { srv.Inject(enterpriseadmintest.Fault(f)) }, srv.ClearFaults, c
}

// seqErr runs a lazy listing to its end and returns its error.
func seqErr[T any](seq func(yield func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func listPaths() []listPath {
	return []listPath{
		{vendor: "core", name: "SearchCertificates", method: "POST", path: "/certificates/search", errorShapes: coreErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCore(t)
				return inject, clear, func(ctx context.Context) error {
					return proof.Ignore(c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: coretest.CESettingName}))
				}
			}},
		{vendor: "cloud", name: "ListAccounts", method: "GET", path: "/api/v1/account", errorShapes: cloudErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCloud(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.ListAccounts(ctx, cloud.ListOptions{PageSize: 10})) }
			}},
		{vendor: "cloud", name: "ListAccountsPage", method: "GET", path: "/api/v1/account", errorShapes: cloudErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCloud(t)
				return inject, clear, func(ctx context.Context) error {
					return proof.Ignore(c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 10}))
				}
			}},
		{vendor: "mimcm", name: "ListRequests", method: "GET", path: "/requests", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListRequests(ctx, mimcm.RequestFilter{})) }
			}},
		{vendor: "mimcm", name: "ListProfiles", method: "GET", path: "/profiles", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListProfiles(ctx, mimcm.ProfileFilter{})) }
			}},
		{vendor: "mimcm", name: "ListSmartcards", method: "GET", path: "/smartcards", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListSmartcards(ctx, mimcm.SmartcardFilter{})) }
			}},
		{vendor: "mimcm", name: "ListUserCertificates", method: "GET", path: "/certificates", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListUserCertificates(ctx)) }
			}},
		{vendor: "mimcm", name: "Inventory", method: "GET", path: "/certificates", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.Inventory(ctx)) }
			}},
		{vendor: "czertainly", name: "ListCertificates", method: "POST", path: "/v1/certificates", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.ListCertificates(ctx, czertainly.CertificateQuery{})) }
			}},
		{vendor: "czertainly", name: "ListCertificatesPage", method: "POST", path: "/v1/certificates", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error {
					return proof.Ignore(c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1))
				}
			}},
		{vendor: "czertainly", name: "ListApprovals", method: "GET", path: "/v1/approvals", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.ListApprovals(ctx, czertainly.ApprovalQuery{})) }
			}},
		{vendor: "czertainly", name: "ListApprovalProfiles", method: "GET", path: "/v1/approvalProfiles", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.ListApprovalProfiles(ctx)) }
			}},
		{vendor: "czertainly", name: "ListUsers", method: "GET", path: "/v1/users", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListUsers(ctx)) }
			}},
		{vendor: "czertainly", name: "ListRoles", method: "GET", path: "/v1/roles", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListRoles(ctx)) }
			}},
		{vendor: "czertainly", name: "ListRAProfiles", method: "GET", path: "/v1/raProfiles", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListRAProfiles(ctx, nil)) }
			}},
		{vendor: "adminv1", name: "ListAdmins", method: "GET", path: "/v1/admins", errorShapes: adminv1ErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastAdminV1(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListAdmins(ctx)) }
			}},
		{vendor: "enterpriseadmin", name: "ListIdentityCertificates", method: "GET", path: "/certificates/identity", errorShapes: enterpriseErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastEnterprise(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListIdentityCertificates(ctx)) }
			}},
		{vendor: "enterpriseadmin", name: "ListTrustCertificates", method: "GET", path: "/certificates/trust", errorShapes: enterpriseErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastEnterprise(t)
				return inject, clear, func(ctx context.Context) error { return proof.Ignore(c.ListTrustCertificates(ctx)) }
			}},
		// CertificateInventory (issue 22), with the bad answer on a request
		// its walk makes.
		{vendor: "core", name: "CertificateInventory", method: "POST", path: "/certificates/search", errorShapes: coreErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCore(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.CertificateInventory(ctx)) }
			}},
		{vendor: "mimcm", name: "CertificateInventory", method: "GET", path: "/certificates", errorShapes: mimcmErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastMIMCM(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.CertificateInventory(ctx)) }
			}},
		{vendor: "czertainly", name: "CertificateInventory", method: "POST", path: "/v1/certificates", errorShapes: czertainlyErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastCzertainly(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.CertificateInventory(ctx)) }
			}},
		{vendor: "enterpriseadmin", name: "CertificateInventory", method: "GET", path: "/certificates/trust", errorShapes: enterpriseErrorShapes,
			setUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				inject, clear, c := fastEnterprise(t)
				return inject, clear, func(ctx context.Context) error { return seqErr(c.CertificateInventory(ctx)) }
			}},
	}
}

// answerRow is one bad answer and the errors it may give.
type answerRow struct {
	name  string
	fault func(lp listPath) fakeserver.Fault
	// want lists the sentinels the error may match; an error inside a
	// 200 may be read as the vendor's error or as an answer that is not a
	// list.
	want []error
}

func answerRows(lp listPath) []answerRow {
	// Every attempt gets the fault, so a retry cannot turn it into success.
	const every = 10
	rows := []answerRow{
		{"HTML page with 200", func(lp listPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.method, PathSuffix: lp.path, Times: every, Status: 200, ContentType: "text/html; charset=utf-8", Body: fakeserver.HTMLLoginPage}
		}, []error{apierror.ErrHTMLResponse}},
		{"HTML page labelled JSON with 200", func(lp listPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.method, PathSuffix: lp.path, Times: every, Status: 200, ContentType: "application/json", Body: fakeserver.HTMLLoginPage}
		}, []error{apierror.ErrHTMLResponse}},
		{"body shorter than its Content-Length", func(lp listPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.method, PathSuffix: lp.path, Times: every, Status: 200, ContentType: "application/json", Body: `{"result`, DeclaredLength: 4096}
		}, []error{apierror.ErrTruncated}},
		{"connection dropped mid-body", func(lp listPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.method, PathSuffix: lp.path, Times: every, TruncateAt: 1}
		}, []error{apierror.ErrTruncated}},
	}
	for i, body := range lp.errorShapes {
		rows = append(rows, answerRow{fmt.Sprintf("vendor error shape %d inside a 200", i+1), func(lp listPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.method, PathSuffix: lp.path, Times: every, Status: 200, ContentType: "application/json", Body: body}
		}, []error{apierror.ErrVendor, apierror.ErrUnexpectedResponse}})
	}
	return rows
}

func TestInvariantBadAnswersToListsAreErrors(t *testing.T) {
	for _, lp := range listPaths() {
		t.Run(lp.vendor+" "+lp.name, func(t *testing.T) {
			inject, clear, call := lp.setUp(t)
			if err := call(context.Background()); err != nil {
				t.Fatalf("without a fault: %v", err)
			}
			for _, row := range answerRows(lp) {
				inject(row.fault(lp))
				err := call(context.Background())
				clear()
				ok := false
				for _, w := range row.want {
					ok = ok || errors.Is(err, w)
				}
				if !ok {
					t.Errorf("%s: got %v, want an error matching one of %v", row.name, err, row.want)
				}
			}
		})
	}
}
