package proof_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"net/url"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// czertainlyCSR makes a PKCS#10 request (DER) for cn with a new key.
func czertainlyCSR(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// The 2.x fake checks every request and answer against the vendor's
// published OpenAPI 3.1 documents as well as against ours, and that check
// compiles the JSON schemas it needs for each of them: under -race an
// answer costs from a few ms (an archive, the list of roles) to 250 ms (a
// search, a certificate with its chain) of CPU, where the other fakes need
// about 1 ms. So its client gets a per-attempt timeout such an answer
// stays well within on a loaded machine (the slow-answer fault waits
// longer than that), and the matrix spreads its operations over
// czertainlyPartCount fakes of their own and runs them all at once, so
// that the waits of the timeout cells overlap.
const (
	czertainlyTimeout   = 3 * time.Second
	czertainlyPartCount = 8
)

// czertainlyParts are the vendors the 2.x operations are spread over:
// part i of n has every n-th operation from the i-th on.
var czertainlyParts = func() []func(*testing.T, secretSet) *vendor {
	parts := make([]func(*testing.T, secretSet) *vendor, czertainlyPartCount)
	for part := range parts {
		parts[part] = func(t *testing.T, secrets secretSet) *vendor {
			v := czertainlyVendor(t, secrets)
			v.name = fmt.Sprintf("czertainly-%dof%d", part+1, czertainlyPartCount)
			var ops []operation
			for i, op := range v.ops {
				if i%czertainlyPartCount == part {
					ops = append(ops, op)
				}
			}
			v.ops = ops
			return v
		}
	}
	return parts
}()

// czertainlyVendor is the CZERTAINLY 2.x (ILM) client. It authenticates
// with the admin's certificate in the ssl-client-cert header, the
// credential it masks; no call carries another secret.
//
// Every method of Client that sends a request is here but one:
// IssueRequestedCertificate, which needs a certificate in state requested.
// The fake moves a submitted certificate on (to pending_issue, or issued)
// when the issue call looks it up, before it checks that state, so its
// answer is always 422 and the operation has no successful baseline to
// judge the faults against.
func czertainlyVendor(t *testing.T, secrets secretSet) *vendor {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	closeFake(t, srv)
	logs := &syncBuffer{}
	options := func(auth ...czertainly.Option) []czertainly.Option {
		return append([]czertainly.Option{czertainly.WithRetry(czertainly.RetryPolicy(proofRetry)), czertainly.WithTimeout(czertainlyTimeout),
			czertainly.WithLogger(proofLogger(logs)), czertainly.WithPollInterval(time.Millisecond), czertainly.WithPollTimeout(15 * time.Second)}, auth...)
	}
	admin := srv.AdminCertificate.Leaf
	c, err := czertainly.NewClient(srv.URL, options(czertainly.WithCertificateHeader(admin))...)
	if err != nil {
		t.Fatal(err)
	}
	// The header's value as the client sends it: URL-escaped PEM.
	header := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: admin.Raw})))
	wrongToken, err := czertainly.NewClient(srv.URL, options(czertainly.WithBearerToken(secrets.password))...)
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	const ra = czertainlytest.RAProfileUUID
	profile := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: ra}
	withApproval := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	opsBase := "/authorities/" + czertainlytest.AuthorityUUID + "/raProfiles/" + ra
	issuePath := "/raProfiles/" + ra + "/certificates"

	// newCertificate puts a fresh issued certificate of the RA profile
	// into the inventory.
	newCertificate := func(t *testing.T, archived bool) string {
		id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: next("proofcert") + ".example.test",
			ExpiresIn: 200 * 24 * time.Hour, RAProfileUUID: ra, Archived: archived})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// approvalOf finds the pending approval of a certificate.
	approvalOf := func(t *testing.T, certificateUUID string) string {
		for a, err := range c.ListApprovals(ctx, czertainly.ApprovalQuery{PageSize: czertainly.MaxPageSize}) {
			if err != nil {
				t.Fatal(err)
			}
			if a.ObjectUUID == certificateUUID && a.Status == czertainly.ApprovalStatusPending {
				return a.UUID
			}
		}
		t.Fatalf("no pending approval of certificate %s", certificateUUID)
		return ""
	}
	// awaitingApproval submits a request through the RA profile that needs
	// an approval and reads the certificate (its history, the cheapest
	// read) until the fake's authority has asked for the approval; it
	// returns the certificate and the approval.
	awaitingApproval := func(t *testing.T) (certificate, approval string) {
		sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: withApproval, CSR: czertainlyCSR(t, next("approve")+".example.test")})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if srv.CertificateState(sub.UUID) == czertainly.CertificateStatePendingApproval {
				return sub.UUID, approvalOf(t, sub.UUID)
			}
			if _, err := c.GetCertificateHistory(ctx, sub.UUID); err != nil {
				t.Fatal(err)
			}
		}
		t.Fatalf("certificate %s is %s, want pending_approval", sub.UUID, srv.CertificateState(sub.UUID))
		return "", ""
	}
	// recipient is a client for a second user with the role of the
	// approval step: Core refuses a recipient's decision from the user who
	// created the approval (ApprovalServiceImpl.java:190), here the admin.
	var recipientClient *czertainly.Client
	recipient := func(t *testing.T) *czertainly.Client {
		if recipientClient != nil {
			return recipientClient
		}
		name := next("recipient")
		u, err := c.CreateUser(ctx, czertainly.UserInput{Username: name, Email: name + "@example.test", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SetUserRoles(ctx, u.UUID, []string{czertainlytest.SuperadminRoleUUID}); err != nil {
			t.Fatal(err)
		}
		if recipientClient, err = czertainly.NewClient(srv.URL, options(czertainly.WithBearerToken(srv.TokenFor(u.UUID)))...); err != nil {
			t.Fatal(err)
		}
		return recipientClient
	}
	newApproval := func(t *testing.T) string {
		_, approval := awaitingApproval(t)
		return approval
	}
	newUser := func(t *testing.T) string {
		name := next("proofuser")
		u, err := c.CreateUser(ctx, czertainly.UserInput{Username: name, Email: name + "@example.test", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		return u.UUID
	}
	newRole := func(t *testing.T) string {
		r, err := c.CreateRole(ctx, czertainly.RoleInput{Name: next("proofrole")})
		if err != nil {
			t.Fatal(err)
		}
		return r.UUID
	}

	// Fixed objects the reads look at.
	fixed := newCertificate(t, false)
	// An approval, a user with a certificate and a role, made on first
	// use: a part of the vendor whose operations need none does without.
	var fixedApproval, identified, permissionsRole string
	identifiedCert := selfSignedDER(t, "proof identified user")
	user := newUser(t)
	role := newRole(t)
	resources, err := c.ListAuthResources(ctx)
	if err != nil || len(resources) == 0 {
		t.Fatalf("authorization resources %v, %v", resources, err)
	}
	resource := resources[0].UUID
	object := func(id string) czertainly.ObjectPermissions {
		return czertainly.ObjectPermissions{UUID: id, Name: "proof object", Allow: []string{"detail"}, Deny: []string{}}
	}
	objectsPath := "/roles/" + role + "/permissions/" + resource + "/objects"
	if err := c.AddRoleObjectPermissions(ctx, role, resource, []czertainly.ObjectPermissions{object(fixed)}); err != nil {
		t.Fatal(err)
	}
	// An object permission the update and remove cells work on.
	newObject := func(t *testing.T) string {
		id := newCertificate(t, false)
		if err := c.AddRoleObjectPermissions(ctx, role, resource, []czertainly.ObjectPermissions{object(id)}); err != nil {
			t.Fatal(err)
		}
		return id
	}

	same := func(suffix string, call func(ctx context.Context) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(*testing.T) (string, func(context.Context, string) error) {
			return suffix, func(ctx context.Context, _ string) error { return call(ctx) }
		}
	}
	onCertificate := func(suffix string, archived bool, call func(ctx context.Context, id string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newCertificate(t, archived)
			return fmt.Sprintf(suffix, id), func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onTwo := func(suffix string, archived bool, call func(ctx context.Context, ids []string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			ids := []string{newCertificate(t, archived), newCertificate(t, archived)}
			return suffix, func(ctx context.Context, _ string) error { return call(ctx, ids) }
		}
	}
	onApproval := func(suffix string, call func(ctx context.Context, id string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newApproval(t)
			return "/approvals/" + id + suffix, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onUser := func(suffix string, call func(ctx context.Context, id string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newUser(t)
			return "/users/" + id + suffix, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onRole := func(suffix string, call func(ctx context.Context, id string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newRole(t)
			return "/roles/" + id + suffix, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onObject := func(call func(ctx context.Context, id string) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newObject(t)
			return objectsPath + "/" + id, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	// saveDownload writes a certificate download to path, as a user keeps
	// it.
	saveDownload := func(get func(ctx context.Context) (*czertainly.Download, error)) func(context.Context, string) error {
		return func(ctx context.Context, path string) error {
			return toFile(path, func(w io.Writer) error {
				d, err := get(ctx)
				if err != nil {
					return err
				}
				b, err := d.Bytes()
				if err != nil {
					return err
				}
				_, err = w.Write(b)
				return err
			})
		}
	}
	// drain runs an iterator to its end.
	drain := func(seq func(func(czertainly.Approval, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	seeds := czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("seed")}}
	pageOfAll := czertainly.ApprovalQuery{PageSize: czertainly.MaxPageSize}

	return &vendor{
		name: "czertainly", srv: srv, inject: func(f fakeserver.Fault) { srv.Inject(czertainlytest.Fault(f)) }, logs: logs,
		timeout: czertainlyTimeout, auth: []string{header},
		badInputs: []func(context.Context) error{
			func(context.Context) error {
				return ignore(czertainly.NewClient(srv.URL, czertainly.WithBearerToken(secrets.password), czertainly.WithSessionCookie(secrets.pkcs12)))
			},
			func(ctx context.Context) error { return ignore(wrongToken.GetAuthProfile(ctx)) },
		},
		ops: []operation{
			// The inventory.
			{name: "ListCertificatesPage", kind: read, method: "POST", prepare: same("/v1/certificates", func(ctx context.Context) error {
				return ignore(c.ListCertificatesPage(ctx, seeds, 1))
			})},
			{name: "ListCertificates", kind: read, method: "POST", prepare: same("/v1/certificates", func(ctx context.Context) error {
				for _, err := range c.ListCertificates(ctx, seeds) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{name: "ListCertificateSearchFields", kind: read, method: "GET", prepare: same("/v1/certificates/search", func(ctx context.Context) error {
				return ignore(c.ListCertificateSearchFields(ctx))
			})},
			{name: "GetCertificate", kind: read, method: "GET", prepare: same("/certificates/"+fixed, func(ctx context.Context) error {
				return ignore(c.GetCertificate(ctx, fixed))
			})},
			{name: "DownloadCertificate", kind: download, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/" + fixed + "/raw", saveDownload(func(ctx context.Context) (*czertainly.Download, error) {
					return c.DownloadCertificate(ctx, fixed, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER)
				})
			}},
			{name: "DownloadCertificateChain", kind: download, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/" + fixed + "/chain/pkcs7", saveDownload(func(ctx context.Context) (*czertainly.Download, error) {
					return c.DownloadCertificateChain(ctx, fixed, czertainly.CertificateFormatPKCS7, czertainly.CertificateEncodingPEM, true)
				})
			}},
			{name: "GetCertificateChain", kind: read, method: "GET", prepare: same("/certificates/"+fixed+"/chain", func(ctx context.Context) error {
				return ignore(c.GetCertificateChain(ctx, fixed, true))
			})},
			{name: "GetCertificateHistory", kind: read, method: "GET", prepare: same("/certificates/"+fixed+"/history", func(ctx context.Context) error {
				return ignore(c.GetCertificateHistory(ctx, fixed))
			})},
			{name: "ValidateCertificate", kind: read, method: "GET", prepare: same("/certificates/"+fixed+"/validate", func(ctx context.Context) error {
				return ignore(c.ValidateCertificate(ctx, fixed))
			})},
			// The fake's locations and attributes are empty lists, "[]":
			// the mid-body reset cuts inside them.
			{name: "ListCertificateLocations", kind: read, method: "GET", cutAt: 1, prepare: same("/certificates/"+fixed+"/locations", func(ctx context.Context) error {
				return ignore(c.ListCertificateLocations(ctx, fixed))
			})},
			{name: "UploadCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				der := selfSignedDER(t, next("upload")+".example.test")
				return "/v1/certificates/upload", func(ctx context.Context, _ string) error { return ignore(c.UploadCertificate(ctx, der, nil)) }
			}},
			{name: "UpdateCertificate", kind: write, method: "PATCH", bodiless: true, prepare: onCertificate("/certificates/%s", false, func(ctx context.Context, id string) error {
				owner := czertainlytest.AdminUserUUID
				return c.UpdateCertificate(ctx, id, czertainly.CertificateUpdate{OwnerUUID: &owner})
			})},
			{name: "ArchiveCertificate", kind: write, method: "PATCH", bodiless: true, prepare: onCertificate("/certificates/%s/archive", false, func(ctx context.Context, id string) error {
				return c.ArchiveCertificate(ctx, id)
			})},
			{name: "UnarchiveCertificate", kind: write, method: "PATCH", bodiless: true, prepare: onCertificate("/certificates/%s/unarchive", true, func(ctx context.Context, id string) error {
				return c.UnarchiveCertificate(ctx, id)
			})},
			{name: "ArchiveCertificates", kind: write, method: "PATCH", bodiless: true, prepare: onTwo("/v1/certificates/archive", false, func(ctx context.Context, ids []string) error {
				return c.ArchiveCertificates(ctx, ids)
			})},
			{name: "UnarchiveCertificates", kind: write, method: "PATCH", bodiless: true, prepare: onTwo("/v1/certificates/unarchive", true, func(ctx context.Context, ids []string) error {
				return c.UnarchiveCertificates(ctx, ids)
			})},
			{name: "DeleteCertificate", kind: write, method: "DELETE", bodiless: true, prepare: onCertificate("/certificates/%s", false, func(ctx context.Context, id string) error {
				return c.DeleteCertificate(ctx, id)
			})},
			{name: "DeleteCertificates", kind: write, method: "POST", prepare: onTwo("/v1/certificates/delete", false, func(ctx context.Context, ids []string) error {
				return ignore(c.DeleteCertificates(ctx, ids))
			})},

			// RA profiles and the client operations.
			{name: "ListRAProfiles", kind: read, method: "GET", prepare: same("/v1/raProfiles", func(ctx context.Context) error {
				return ignore(c.ListRAProfiles(ctx, nil))
			})},
			{name: "GetRAProfile", kind: read, method: "GET", prepare: same("/authorities/"+czertainlytest.AuthorityUUID+"/raProfiles/"+ra, func(ctx context.Context) error {
				return ignore(c.GetRAProfile(ctx, czertainlytest.AuthorityUUID, ra))
			})},
			{name: "GetRAProfile without authority", kind: read, method: "GET", prepare: same("/v1/raProfiles/"+ra, func(ctx context.Context) error {
				return ignore(c.GetRAProfile(ctx, "", ra))
			})},
			{name: "ListRAProfileApprovalProfiles", kind: read, method: "GET", prepare: same("/raProfiles/"+withApproval.RAProfileUUID+"/approvalProfiles", func(ctx context.Context) error {
				return ignore(c.ListRAProfileApprovalProfiles(ctx, withApproval.AuthorityUUID, withApproval.RAProfileUUID))
			})},
			{name: "IssueCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				csr := czertainlyCSR(t, next("issue")+".example.test")
				return issuePath, func(ctx context.Context, _ string) error {
					return ignore(c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: csr}))
				}
			}},
			{name: "RenewCertificate", kind: write, method: "POST", prepare: onCertificate(opsBase+"/certificates/%s/renew", false, func(ctx context.Context, id string) error {
				return ignore(c.RenewCertificate(ctx, czertainly.RenewInput{Profile: profile, CertificateUUID: id}))
			})},
			{name: "RekeyCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// Core keeps the subject DN on rekey (ClientOperationServiceImpl.java:563).
				cn := next("rekey") + ".example.test"
				id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: cn, ExpiresIn: 200 * 24 * time.Hour, RAProfileUUID: ra})
				if err != nil {
					t.Fatal(err)
				}
				csr := czertainlyCSR(t, cn)
				return opsBase + "/certificates/" + id + "/rekey", func(ctx context.Context, _ string) error {
					return ignore(c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: profile, CertificateUUID: id, CSR: csr}))
				}
			}},
			{name: "RevokeCertificate", kind: write, method: "POST", bodiless: true, prepare: onCertificate(opsBase+"/certificates/%s/revoke", false, func(ctx context.Context, id string) error {
				return c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id, Reason: czertainly.RevocationReasonSuperseded})
			})},
			// Empty lists too (the fake's authority takes no attributes).
			{name: "ListIssueAttributes", kind: read, method: "GET", cutAt: 1, prepare: same(opsBase+"/attributes/issue", func(ctx context.Context) error {
				return ignore(c.ListIssueAttributes(ctx, profile))
			})},
			{name: "ListRevokeAttributes", kind: read, method: "GET", cutAt: 1, prepare: same(opsBase+"/attributes/revoke", func(ctx context.Context) error {
				return ignore(c.ListRevokeAttributes(ctx, profile))
			})},
			{name: "ValidateIssueAttributes", kind: read, method: "POST", bodiless: true, prepare: same(opsBase+"/attributes/issue/validate", func(ctx context.Context) error {
				return c.ValidateIssueAttributes(ctx, profile, nil)
			})},
			{name: "ValidateRevokeAttributes", kind: read, method: "POST", bodiless: true, prepare: same(opsBase+"/attributes/revoke/validate", func(ctx context.Context) error {
				return c.ValidateRevokeAttributes(ctx, profile, nil)
			})},

			// The workflows: each sends its issue or renew call once.
			{name: "Enroll", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				cn := next("enroll") + ".example.test"
				return issuePath, func(ctx context.Context, _ string) error {
					return ignore(c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}))
				}
			}},
			{name: "RenewExpiring", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// One candidate: a certificate no other cell's name contains.
				cn := next("expiring") + ".renew.example.test"
				id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: cn, ExpiresIn: 10 * 24 * time.Hour, RAProfileUUID: ra})
				if err != nil {
					t.Fatal(err)
				}
				return opsBase + "/certificates/" + id + "/renew", func(ctx context.Context, _ string) error {
					rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, Filters: []czertainly.SearchFilter{czertainly.FilterCommonName(cn)}})
					if err != nil {
						return err
					}
					if len(rep.Results) != 1 || rep.Results[0].Certificate.UUID != id {
						return fmt.Errorf("renewal report %+v, want the one certificate %s", rep.Results, id)
					}
					if r := rep.Results[0]; r.Outcome != czertainly.RenewalOutcomeRenewed {
						if r.Err == nil {
							return fmt.Errorf("renewal %s without an error", r.Outcome)
						}
						return r.Err
					}
					return nil
				}
			}},
			{name: "WaitForCertificate", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: czertainlyCSR(t, next("wait")+".example.test")})
				if err != nil {
					t.Fatal(err)
				}
				return "/certificates/" + sub.UUID, func(ctx context.Context, _ string) error { return ignore(c.WaitForCertificate(ctx, sub.UUID)) }
			}},
			{name: "ResumeEnrollment", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id, approval := awaitingApproval(t)
				if err := srv.Approve(approval); err != nil {
					t.Fatal(err)
				}
				// What Enroll returns when it stops at the approval
				// (WithApprovalWait(false)) for a caller's CSR.
				pe := &czertainly.PendingError{Profile: withApproval, CertificateUUID: id, State: czertainly.CertificateStatePendingApproval}
				return "/certificates/" + pe.CertificateUUID, func(ctx context.Context, _ string) error { return ignore(c.ResumeEnrollment(ctx, pe)) }
			}},

			// Approvals.
			{name: "ListApprovals", kind: read, method: "GET", prepare: same("/v1/approvals", func(ctx context.Context) error {
				return drain(c.ListApprovals(ctx, pageOfAll))
			})},
			{name: "ListUserApprovals", kind: read, method: "GET", prepare: same("/v1/approvals/user", func(ctx context.Context) error {
				return drain(c.ListUserApprovals(ctx, pageOfAll))
			})},
			{name: "GetApproval", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				if fixedApproval == "" {
					fixedApproval = newApproval(t)
				}
				return "/approvals/" + fixedApproval, func(ctx context.Context, _ string) error { return ignore(c.GetApproval(ctx, fixedApproval)) }
			}},
			{name: "ApproveApproval", kind: write, method: "PATCH", bodiless: true, prepare: onApproval("/approve", func(ctx context.Context, id string) error {
				return c.ApproveApproval(ctx, id)
			})},
			{name: "RejectApproval", kind: write, method: "PATCH", bodiless: true, prepare: onApproval("/reject", func(ctx context.Context, id string) error {
				return c.RejectApproval(ctx, id)
			})},
			{name: "ApproveApprovalAsRecipient", kind: write, method: "PATCH", bodiless: true, prepare: onApproval("/approveRecipient", func(ctx context.Context, id string) error {
				return recipient(t).ApproveApprovalAsRecipient(ctx, id, "approved by the proof suite")
			})},
			{name: "RejectApprovalAsRecipient", kind: write, method: "PATCH", bodiless: true, prepare: onApproval("/rejectRecipient", func(ctx context.Context, id string) error {
				return recipient(t).RejectApprovalAsRecipient(ctx, id, "rejected by the proof suite")
			})},
			{name: "ListApprovalProfiles", kind: read, method: "GET", prepare: same("/v1/approvalProfiles", func(ctx context.Context) error {
				for _, err := range c.ListApprovalProfiles(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{name: "GetApprovalProfile", kind: read, method: "GET", prepare: same("/approvalProfiles/"+czertainlytest.ApprovalProfileUUID, func(ctx context.Context) error {
				return ignore(c.GetApprovalProfile(ctx, czertainlytest.ApprovalProfileUUID, 0))
			})},

			// Users.
			{name: "ListUsers", kind: read, method: "GET", prepare: same("/v1/users", func(ctx context.Context) error {
				return ignore(c.ListUsers(ctx))
			})},
			{name: "GetUser", kind: read, method: "GET", prepare: same("/users/"+czertainlytest.AdminUserUUID, func(ctx context.Context) error {
				return ignore(c.GetUser(ctx, czertainlytest.AdminUserUUID))
			})},
			{name: "CreateUser", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := next("newuser")
				return "/v1/users", func(ctx context.Context, _ string) error {
					return ignore(c.CreateUser(ctx, czertainly.UserInput{Username: name, Email: name + "@example.test"}))
				}
			}},
			{name: "UpdateUser", kind: read, method: "PUT", prepare: same("/users/"+user, func(ctx context.Context) error {
				return ignore(c.UpdateUser(ctx, user, czertainly.UserInput{Email: "updated@example.test", LastName: "Proof"}))
			})},
			{name: "DeleteUser", kind: write, method: "DELETE", bodiless: true, prepare: onUser("", func(ctx context.Context, id string) error {
				return c.DeleteUser(ctx, id)
			})},
			{name: "EnableUser", kind: write, method: "PATCH", prepare: same("/users/"+user+"/enable", func(ctx context.Context) error {
				return ignore(c.EnableUser(ctx, user))
			})},
			{name: "DisableUser", kind: write, method: "PATCH", prepare: same("/users/"+user+"/disable", func(ctx context.Context) error {
				return ignore(c.DisableUser(ctx, user))
			})},
			{name: "GetUserRoles", kind: read, method: "GET", prepare: same("/users/"+czertainlytest.AdminUserUUID+"/roles", func(ctx context.Context) error {
				return ignore(c.GetUserRoles(ctx, czertainlytest.AdminUserUUID))
			})},
			{name: "SetUserRoles", kind: write, method: "PATCH", prepare: same("/users/"+user+"/roles", func(ctx context.Context) error {
				return ignore(c.SetUserRoles(ctx, user, []string{role}))
			})},
			{name: "AddUserRole", kind: read, method: "PUT", prepare: same("/users/"+user+"/roles/"+role, func(ctx context.Context) error {
				return ignore(c.AddUserRole(ctx, user, role))
			})},
			{name: "RemoveUserRole", kind: read, method: "DELETE", prepare: same("/users/"+user+"/roles/"+role, func(ctx context.Context) error {
				return ignore(c.RemoveUserRole(ctx, user, role))
			})},
			{name: "IdentifyUser", kind: read, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				if identified == "" {
					u, err := c.CreateUser(ctx, czertainly.UserInput{Username: next("identified"), Email: "identified@example.test", Certificate: identifiedCert})
					if err != nil {
						t.Fatal(err)
					}
					identified = u.UUID
				}
				return "/v1/users/identify", func(ctx context.Context, _ string) error {
					u, err := c.IdentifyUser(ctx, identifiedCert)
					if err == nil && u.UUID != identified {
						return fmt.Errorf("identified %s, want %s", u.UUID, identified)
					}
					return err
				}
			}},
			{name: "GetUserPermissions", kind: read, method: "GET", prepare: same("/users/"+czertainlytest.AdminUserUUID+"/permissions", func(ctx context.Context) error {
				return ignore(c.GetUserPermissions(ctx, czertainlytest.AdminUserUUID))
			})},
			{name: "GetAuthProfile", kind: read, method: "GET", prepare: same("/v1/auth/profile", func(ctx context.Context) error {
				return ignore(c.GetAuthProfile(ctx))
			})},
			{name: "ListAuthResources", kind: read, method: "GET", prepare: same("/v1/auth/resources", func(ctx context.Context) error {
				return ignore(c.ListAuthResources(ctx))
			})},

			// Roles and permissions.
			{name: "ListRoles", kind: read, method: "GET", prepare: same("/v1/roles", func(ctx context.Context) error {
				return ignore(c.ListRoles(ctx))
			})},
			{name: "GetRole", kind: read, method: "GET", prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID, func(ctx context.Context) error {
				return ignore(c.GetRole(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{name: "CreateRole", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := next("newrole")
				return "/v1/roles", func(ctx context.Context, _ string) error {
					return ignore(c.CreateRole(ctx, czertainly.RoleInput{Name: name}))
				}
			}},
			{name: "UpdateRole", kind: read, method: "PUT", prepare: same("/roles/"+role, func(ctx context.Context) error {
				return ignore(c.UpdateRole(ctx, role, czertainly.RoleInput{Name: "proof role " + role, Description: "updated"}))
			})},
			{name: "DeleteRole", kind: write, method: "DELETE", bodiless: true, prepare: onRole("", func(ctx context.Context, id string) error {
				return c.DeleteRole(ctx, id)
			})},
			{name: "GetRoleUsers", kind: read, method: "GET", prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID+"/users", func(ctx context.Context) error {
				return ignore(c.GetRoleUsers(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{name: "SetRoleUsers", kind: write, method: "PATCH", prepare: same("/roles/"+role+"/users", func(ctx context.Context) error {
				return ignore(c.SetRoleUsers(ctx, role, []string{user}))
			})},
			{name: "GetRolePermissions", kind: read, method: "GET", prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID+"/permissions", func(ctx context.Context) error {
				return ignore(c.GetRolePermissions(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{name: "SaveRolePermissions", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// A role of its own: saving resets the role's object
				// permissions, which the object cells work on.
				if permissionsRole == "" {
					permissionsRole = newRole(t)
				}
				return "/roles/" + permissionsRole + "/permissions", func(ctx context.Context, _ string) error {
					return ignore(c.SaveRolePermissions(ctx, permissionsRole, czertainly.Permissions{Resources: []czertainly.ResourcePermissions{
						{Name: resources[0].Name, Actions: []string{"list", "detail"}}}}))
				}
			}},
			{name: "GetRoleResourcePermissions", kind: read, method: "GET", prepare: same("/roles/"+role+"/permissions/"+resource, func(ctx context.Context) error {
				return ignore(c.GetRoleResourcePermissions(ctx, role, resource))
			})},
			{name: "GetRoleObjectPermissions", kind: read, method: "GET", prepare: same(objectsPath, func(ctx context.Context) error {
				return ignore(c.GetRoleObjectPermissions(ctx, role, resource))
			})},
			{name: "AddRoleObjectPermissions", kind: write, method: "POST", bodiless: true, prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := newCertificate(t, false)
				return objectsPath, func(ctx context.Context, _ string) error {
					return c.AddRoleObjectPermissions(ctx, role, resource, []czertainly.ObjectPermissions{object(id)})
				}
			}},
			{name: "UpdateRoleObjectPermissions", kind: read, method: "PUT", bodiless: true, prepare: onObject(func(ctx context.Context, id string) error {
				o := object(id)
				o.Deny = []string{"delete"}
				return c.UpdateRoleObjectPermissions(ctx, role, resource, o)
			})},
			{name: "RemoveRoleObjectPermissions", kind: read, method: "DELETE", bodiless: true, prepare: onObject(func(ctx context.Context, id string) error {
				return c.RemoveRoleObjectPermissions(ctx, role, resource, id)
			})},

			// The checked escape hatch, by method: a GET is repeated, a
			// POST is not.
			{name: "Do GET", kind: read, method: "GET", prepare: same("/v1/certificates/search", func(ctx context.Context) error {
				req, err := czertainlyapi.NewGetCertificateSearchableFieldsRequest(c.Raw().Server)
				if err != nil {
					return err
				}
				var out []czertainly.SearchFieldGroup
				return c.Do(ctx, req, &out)
			})},
			{name: "Do POST", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := next("rawrole")
				return "/v1/roles", func(ctx context.Context, _ string) error {
					req, err := czertainlyapi.NewCreateRoleRequest(c.Raw().Server, czertainlyapi.RoleRequestDto{Name: &name})
					if err != nil {
						return err
					}
					var out czertainly.RoleDetail
					return c.Do(ctx, req, &out)
				}
			}},
		},
	}
}
