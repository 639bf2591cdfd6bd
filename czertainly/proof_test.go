package czertainly_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestProof registers the CZERTAINLY 2.x client with the proof suite
// (internal/proof): the fault matrix over every operation below (spread
// over czertainlyPartCount fakes), the secrets proof, the concurrency mix
// and the check that every *Client method has a row.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*czertainly.Client](), Matrix: czertainlyParts, Concurrency: concCzertainly2x, Root: ".",
		NotInMatrix: map[string]string{
			"Raw": "returns the generated client; sends nothing",
			"IssueRequestedCertificate": "needs a certificate in state requested, which the fake moves on before it checks the state, " +
				"so the call has no successful baseline to judge faults against (see czertainlyVendor)",
		},
	})
}

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
// about 1 ms. So the matrix spreads its operations over
// czertainlyPartCount fakes of their own, run in parallel. (The client's
// per-attempt timeout is proof.Timeout, which such an answer stays far
// within.)
const czertainlyPartCount = 8

// czertainlyParts are the vendors the 2.x operations are spread over:
// part i of n has every n-th operation from the i-th on.
var czertainlyParts = func() []proof.Builder {
	parts := make([]proof.Builder, czertainlyPartCount)
	for part := range parts {
		parts[part] = func(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
			v := czertainlyVendor(t, secrets)
			v.Name = fmt.Sprintf("czertainly-%dof%d", part+1, czertainlyPartCount)
			var ops []proof.Operation
			for i, op := range v.Ops {
				if i%czertainlyPartCount == part {
					ops = append(ops, op)
				}
			}
			v.Ops = ops
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
func czertainlyVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	logs := &proof.SyncBuffer{}
	options := func(auth ...czertainly.Option) []czertainly.Option {
		return append([]czertainly.Option{czertainly.WithRetry(czertainly.RetryPolicy(proof.Retry)), czertainly.WithTimeout(proof.Timeout),
			czertainly.WithLogger(proof.Logger(logs)), czertainly.WithPollInterval(time.Millisecond), czertainly.WithWaitTimeout(proof.WaitTimeout)}, auth...)
	}
	admin := srv.AdminCertificate.Leaf
	c, err := czertainly.NewClient(srv.URL, options(czertainly.WithCertificateHeader(admin))...)
	if err != nil {
		t.Fatal(err)
	}
	// The header's value as the client sends it: URL-escaped PEM.
	header := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: admin.Raw})))
	wrongToken, err := czertainly.NewClient(srv.URL, options(czertainly.WithBearerToken(secrets.Password))...)
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
		id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: proof.Next("proofcert") + ".example.test",
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
		sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: withApproval, CSR: czertainlyCSR(t, proof.Next("approve")+".example.test")})
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
		name := proof.Next("recipient")
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
		name := proof.Next("proofuser")
		u, err := c.CreateUser(ctx, czertainly.UserInput{Username: name, Email: name + "@example.test", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		return u.UUID
	}
	newRole := func(t *testing.T) string {
		r, err := c.CreateRole(ctx, czertainly.RoleInput{Name: proof.Next("proofrole")})
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
	identifiedCert := proof.SelfSignedDER(t, "proof identified user")
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
			return proof.ToFile(path, func(w io.Writer) error {
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

	return &proof.Vendor{
		Name: "czertainly", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(czertainlytest.Fault(f)) }, Logs: logs,
		Auth: []string{header},
		BadInputs: []func(context.Context) error{
			func(context.Context) error {
				return proof.Ignore(czertainly.NewClient(srv.URL, czertainly.WithBearerToken(secrets.Password), czertainly.WithSessionCookie(secrets.PKCS12)))
			},
			func(ctx context.Context) error { return proof.Ignore(wrongToken.GetAuthProfile(ctx)) },
		},
		Ops: []proof.Operation{
			// The inventory.
			{Name: "ListCertificatesPage", Method: "POST", Prepare: same("/v1/certificates", func(ctx context.Context) error {
				return proof.Ignore(c.ListCertificatesPage(ctx, seeds, 1))
			})},
			{Name: "ListCertificates", Method: "POST", Prepare: same("/v1/certificates", func(ctx context.Context) error {
				for _, err := range c.ListCertificates(ctx, seeds) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "CertificateInventory", Method: "POST", Prepare: same("/v1/certificates", func(ctx context.Context) error {
				for _, err := range c.CertificateInventory(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "ListCertificateSearchFields", Method: "GET", Prepare: same("/v1/certificates/search", func(ctx context.Context) error {
				return proof.Ignore(c.ListCertificateSearchFields(ctx))
			})},
			{Name: "GetCertificate", Method: "GET", Prepare: same("/certificates/"+fixed, func(ctx context.Context) error {
				return proof.Ignore(c.GetCertificate(ctx, fixed))
			})},
			{Name: "DownloadCertificate", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/" + fixed + "/raw", saveDownload(func(ctx context.Context) (*czertainly.Download, error) {
					return c.DownloadCertificate(ctx, fixed, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER)
				})
			}},
			{Name: "DownloadCertificateChain", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/" + fixed + "/chain/pkcs7", saveDownload(func(ctx context.Context) (*czertainly.Download, error) {
					return c.DownloadCertificateChain(ctx, fixed, czertainly.CertificateFormatPKCS7, czertainly.CertificateEncodingPEM, true)
				})
			}},
			{Name: "GetCertificateChain", Method: "GET", Prepare: same("/certificates/"+fixed+"/chain", func(ctx context.Context) error {
				return proof.Ignore(c.GetCertificateChain(ctx, fixed, true))
			})},
			{Name: "GetCertificateHistory", Method: "GET", Prepare: same("/certificates/"+fixed+"/history", func(ctx context.Context) error {
				return proof.Ignore(c.GetCertificateHistory(ctx, fixed))
			})},
			{Name: "ValidateCertificate", Method: "GET", Prepare: same("/certificates/"+fixed+"/validate", func(ctx context.Context) error {
				return proof.Ignore(c.ValidateCertificate(ctx, fixed))
			})},
			// The fake's locations and attributes are empty lists, "[]":
			// the mid-body reset cuts inside them.
			{Name: "ListCertificateLocations", Method: "GET", CutAt: 1, Prepare: same("/certificates/"+fixed+"/locations", func(ctx context.Context) error {
				return proof.Ignore(c.ListCertificateLocations(ctx, fixed))
			})},
			{Name: "UploadCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				der := proof.SelfSignedDER(t, proof.Next("upload")+".example.test")
				return "/v1/certificates/upload", func(ctx context.Context, _ string) error { return proof.Ignore(c.UploadCertificate(ctx, der, nil)) }
			}},
			{Name: "UpdateCertificate", Method: "PATCH", Bodiless: true, Prepare: onCertificate("/certificates/%s", false, func(ctx context.Context, id string) error {
				owner := czertainlytest.AdminUserUUID
				return c.UpdateCertificate(ctx, id, czertainly.CertificateUpdate{OwnerUUID: &owner})
			})},
			{Name: "ArchiveCertificate", Method: "PATCH", Bodiless: true, Prepare: onCertificate("/certificates/%s/archive", false, func(ctx context.Context, id string) error {
				return c.ArchiveCertificate(ctx, id)
			})},
			{Name: "UnarchiveCertificate", Method: "PATCH", Bodiless: true, Prepare: onCertificate("/certificates/%s/unarchive", true, func(ctx context.Context, id string) error {
				return c.UnarchiveCertificate(ctx, id)
			})},
			{Name: "ArchiveCertificates", Method: "PATCH", Bodiless: true, Prepare: onTwo("/v1/certificates/archive", false, func(ctx context.Context, ids []string) error {
				return c.ArchiveCertificates(ctx, ids)
			})},
			{Name: "UnarchiveCertificates", Method: "PATCH", Bodiless: true, Prepare: onTwo("/v1/certificates/unarchive", true, func(ctx context.Context, ids []string) error {
				return c.UnarchiveCertificates(ctx, ids)
			})},
			{Name: "DeleteCertificate", Method: "DELETE", Bodiless: true, Prepare: onCertificate("/certificates/%s", false, func(ctx context.Context, id string) error {
				return c.DeleteCertificate(ctx, id)
			})},
			{Name: "BulkUpdateCertificates", Method: "PATCH", Bodiless: true, Prepare: onTwo("/v1/certificates", false, func(ctx context.Context, ids []string) error {
				owner := czertainlytest.AdminUserUUID
				return c.BulkUpdateCertificates(ctx, ids, czertainly.CertificateUpdate{OwnerUUID: &owner})
			})},
			{Name: "GetCertificateRelations", Method: "GET", Prepare: same("/certificates/"+fixed+"/relations", func(ctx context.Context) error {
				return proof.Ignore(c.GetCertificateRelations(ctx, fixed))
			})},
			// Polls the certificate, which is still there: one read.
			{Name: "RemainingCertificates", Method: "GET", Prepare: same("/certificates/"+fixed, func(ctx context.Context) error {
				return proof.Ignore(c.RemainingCertificates(ctx, []string{fixed}))
			})},
			// Polls a deleted certificate: its 404 status ends the wait, and
			// the body of that answer is not read (Bodiless: a cut-off 404
			// still says the certificate is gone).
			{Name: "WaitForDeletion", Method: "GET", Bodiless: true, Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := newCertificate(t, false)
				if err := c.DeleteCertificate(ctx, id); err != nil {
					t.Fatal(err)
				}
				return "/certificates/" + id, func(ctx context.Context, _ string) error { return c.WaitForDeletion(ctx, []string{id}) }
			}},
			// Polls a revoked certificate: its state ends the wait.
			{Name: "WaitForRevocation", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := newCertificate(t, false)
				if err := c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id, Reason: czertainly.RevocationReasonSuperseded}); err != nil {
					t.Fatal(err)
				}
				return "/certificates/" + id, func(ctx context.Context, _ string) error { return proof.Ignore(c.WaitForRevocation(ctx, id)) }
			}},
			{Name: "ListAuthorities", Method: "GET", Prepare: same("/v1/authorities", func(ctx context.Context) error {
				return proof.Ignore(c.ListAuthorities(ctx))
			})},
			{Name: "ListGroups", Method: "GET", Prepare: same("/v1/groups", func(ctx context.Context) error {
				return proof.Ignore(c.ListGroups(ctx))
			})},
			{Name: "DeleteCertificates", Method: "POST", Prepare: onTwo("/v1/certificates/delete", false, func(ctx context.Context, ids []string) error {
				return proof.Ignore(c.DeleteCertificates(ctx, ids))
			})},

			// RA profiles and the client operations.
			{Name: "ListRAProfiles", Method: "GET", Prepare: same("/v1/raProfiles", func(ctx context.Context) error {
				return proof.Ignore(c.ListRAProfiles(ctx, nil))
			})},
			{Name: "GetRAProfile", Method: "GET", Prepare: same("/authorities/"+czertainlytest.AuthorityUUID+"/raProfiles/"+ra, func(ctx context.Context) error {
				return proof.Ignore(c.GetRAProfile(ctx, czertainlytest.AuthorityUUID, ra))
			})},
			{Name: "GetRAProfile without authority", Method: "GET", Prepare: same("/v1/raProfiles/"+ra, func(ctx context.Context) error {
				return proof.Ignore(c.GetRAProfile(ctx, "", ra))
			})},
			{Name: "ListRAProfileApprovalProfiles", Method: "GET", Prepare: same("/raProfiles/"+withApproval.RAProfileUUID+"/approvalProfiles", func(ctx context.Context) error {
				return proof.Ignore(c.ListRAProfileApprovalProfiles(ctx, withApproval.AuthorityUUID, withApproval.RAProfileUUID))
			})},
			{Name: "IssueCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				csr := czertainlyCSR(t, proof.Next("issue")+".example.test")
				return issuePath, func(ctx context.Context, _ string) error {
					return proof.Ignore(c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: csr}))
				}
			}},
			{Name: "RenewCertificate", Method: "POST", Prepare: onCertificate(opsBase+"/certificates/%s/renew", false, func(ctx context.Context, id string) error {
				return proof.Ignore(c.RenewCertificate(ctx, czertainly.RenewInput{Profile: profile, CertificateUUID: id}))
			})},
			{Name: "RekeyCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// Core keeps the subject DN on rekey (ClientOperationServiceImpl.java:563).
				cn := proof.Next("rekey") + ".example.test"
				id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: cn, ExpiresIn: 200 * 24 * time.Hour, RAProfileUUID: ra})
				if err != nil {
					t.Fatal(err)
				}
				csr := czertainlyCSR(t, cn)
				return opsBase + "/certificates/" + id + "/rekey", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: profile, CertificateUUID: id, CSR: csr}))
				}
			}},
			{Name: "RevokeCertificate", Method: "POST", Bodiless: true, Prepare: onCertificate(opsBase+"/certificates/%s/revoke", false, func(ctx context.Context, id string) error {
				return c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id, Reason: czertainly.RevocationReasonSuperseded})
			})},
			// Empty lists too (the fake's authority takes no attributes).
			{Name: "ListIssueAttributes", Method: "GET", CutAt: 1, Prepare: same(opsBase+"/attributes/issue", func(ctx context.Context) error {
				return proof.Ignore(c.ListIssueAttributes(ctx, profile))
			})},
			{Name: "ListRevokeAttributes", Method: "GET", CutAt: 1, Prepare: same(opsBase+"/attributes/revoke", func(ctx context.Context) error {
				return proof.Ignore(c.ListRevokeAttributes(ctx, profile))
			})},
			{Name: "ValidateIssueAttributes", Method: "POST", Bodiless: true, Prepare: same(opsBase+"/attributes/issue/validate", func(ctx context.Context) error {
				return c.ValidateIssueAttributes(ctx, profile, nil)
			})},
			{Name: "ValidateRevokeAttributes", Method: "POST", Bodiless: true, Prepare: same(opsBase+"/attributes/revoke/validate", func(ctx context.Context) error {
				return c.ValidateRevokeAttributes(ctx, profile, nil)
			})},

			// The workflows: each sends its issue or renew call once.
			{Name: "Enroll", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				cn := proof.Next("enroll") + ".example.test"
				return issuePath, func(ctx context.Context, _ string) error {
					return proof.Ignore(c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}))
				}
			}},
			{Name: "RenewExpiring", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// One candidate: a certificate no other cell's name contains.
				cn := proof.Next("expiring") + ".renew.example.test"
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
			{Name: "WaitForCertificate", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: czertainlyCSR(t, proof.Next("wait")+".example.test")})
				if err != nil {
					t.Fatal(err)
				}
				return "/certificates/" + sub.UUID, func(ctx context.Context, _ string) error { return proof.Ignore(c.WaitForCertificate(ctx, sub.UUID)) }
			}},
			{Name: "ResumeEnrollment", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id, approval := awaitingApproval(t)
				if err := srv.Approve(approval); err != nil {
					t.Fatal(err)
				}
				// What Enroll returns when it stops at the approval
				// (WithApprovalWait(0)) for a caller's CSR.
				pe := &czertainly.PendingError{Profile: withApproval, CertificateUUID: id, State: czertainly.CertificateStatePendingApproval}
				return "/certificates/" + pe.CertificateUUID, func(ctx context.Context, _ string) error { return proof.Ignore(c.ResumeEnrollment(ctx, pe)) }
			}},

			// Approvals.
			{Name: "ListApprovals", Method: "GET", Prepare: same("/v1/approvals", func(ctx context.Context) error {
				return drain(c.ListApprovals(ctx, pageOfAll))
			})},
			{Name: "ListCertificateApprovals", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				cert, _ := awaitingApproval(t)
				return "/certificates/" + cert + "/approvals", func(ctx context.Context, _ string) error {
					return drain(c.ListCertificateApprovals(ctx, cert, pageOfAll))
				}
			}},
			{Name: "ListUserApprovals", Method: "GET", Prepare: same("/v1/approvals/user", func(ctx context.Context) error {
				return drain(c.ListUserApprovals(ctx, pageOfAll))
			})},
			{Name: "GetApproval", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				if fixedApproval == "" {
					fixedApproval = newApproval(t)
				}
				return "/approvals/" + fixedApproval, func(ctx context.Context, _ string) error { return proof.Ignore(c.GetApproval(ctx, fixedApproval)) }
			}},
			{Name: "ApproveApproval", Method: "PATCH", Bodiless: true, Prepare: onApproval("/approve", func(ctx context.Context, id string) error {
				return c.ApproveApproval(ctx, id)
			})},
			{Name: "RejectApproval", Method: "PATCH", Bodiless: true, Prepare: onApproval("/reject", func(ctx context.Context, id string) error {
				return c.RejectApproval(ctx, id)
			})},
			{Name: "ApproveApprovalAsRecipient", Method: "PATCH", Bodiless: true, Prepare: onApproval("/approveRecipient", func(ctx context.Context, id string) error {
				return recipient(t).ApproveApprovalAsRecipient(ctx, id, "approved by the proof suite")
			})},
			{Name: "RejectApprovalAsRecipient", Method: "PATCH", Bodiless: true, Prepare: onApproval("/rejectRecipient", func(ctx context.Context, id string) error {
				return recipient(t).RejectApprovalAsRecipient(ctx, id, "rejected by the proof suite")
			})},
			{Name: "ListApprovalProfiles", Method: "GET", Prepare: same("/v1/approvalProfiles", func(ctx context.Context) error {
				for _, err := range c.ListApprovalProfiles(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "GetApprovalProfile", Method: "GET", Prepare: same("/approvalProfiles/"+czertainlytest.ApprovalProfileUUID, func(ctx context.Context) error {
				return proof.Ignore(c.GetApprovalProfile(ctx, czertainlytest.ApprovalProfileUUID, 0))
			})},

			// Users.
			{Name: "ListUsers", Method: "GET", Prepare: same("/v1/users", func(ctx context.Context) error {
				return proof.Ignore(c.ListUsers(ctx))
			})},
			{Name: "GetUser", Method: "GET", Prepare: same("/users/"+czertainlytest.AdminUserUUID, func(ctx context.Context) error {
				return proof.Ignore(c.GetUser(ctx, czertainlytest.AdminUserUUID))
			})},
			{Name: "CreateUser", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := proof.Next("newuser")
				return "/v1/users", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.CreateUser(ctx, czertainly.UserInput{Username: name, Email: name + "@example.test"}))
				}
			}},
			{Name: "UpdateUser", Method: "PUT", Prepare: same("/users/"+user, func(ctx context.Context) error {
				return proof.Ignore(c.UpdateUser(ctx, user, czertainly.UserInput{Email: "updated@example.test", LastName: "Proof"}))
			})},
			{Name: "DeleteUser", Method: "DELETE", Bodiless: true, Prepare: onUser("", func(ctx context.Context, id string) error {
				return c.DeleteUser(ctx, id)
			})},
			{Name: "EnableUser", Method: "PATCH", Prepare: same("/users/"+user+"/enable", func(ctx context.Context) error {
				return proof.Ignore(c.EnableUser(ctx, user))
			})},
			{Name: "DisableUser", Method: "PATCH", Prepare: same("/users/"+user+"/disable", func(ctx context.Context) error {
				return proof.Ignore(c.DisableUser(ctx, user))
			})},
			{Name: "GetUserRoles", Method: "GET", Prepare: same("/users/"+czertainlytest.AdminUserUUID+"/roles", func(ctx context.Context) error {
				return proof.Ignore(c.GetUserRoles(ctx, czertainlytest.AdminUserUUID))
			})},
			{Name: "SetUserRoles", Method: "PATCH", Prepare: same("/users/"+user+"/roles", func(ctx context.Context) error {
				return proof.Ignore(c.SetUserRoles(ctx, user, []string{role}))
			})},
			{Name: "AddUserRole", Method: "PUT", Prepare: same("/users/"+user+"/roles/"+role, func(ctx context.Context) error {
				return proof.Ignore(c.AddUserRole(ctx, user, role))
			})},
			{Name: "RemoveUserRole", Method: "DELETE", Prepare: same("/users/"+user+"/roles/"+role, func(ctx context.Context) error {
				return proof.Ignore(c.RemoveUserRole(ctx, user, role))
			})},
			{Name: "IdentifyUser", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				if identified == "" {
					u, err := c.CreateUser(ctx, czertainly.UserInput{Username: proof.Next("identified"), Email: "identified@example.test", Certificate: identifiedCert})
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
			{Name: "GetUserPermissions", Method: "GET", Prepare: same("/users/"+czertainlytest.AdminUserUUID+"/permissions", func(ctx context.Context) error {
				return proof.Ignore(c.GetUserPermissions(ctx, czertainlytest.AdminUserUUID))
			})},
			{Name: "GetAuthProfile", Method: "GET", Prepare: same("/v1/auth/profile", func(ctx context.Context) error {
				return proof.Ignore(c.GetAuthProfile(ctx))
			})},
			{Name: "ListAuthResources", Method: "GET", Prepare: same("/v1/auth/resources", func(ctx context.Context) error {
				return proof.Ignore(c.ListAuthResources(ctx))
			})},

			// Roles and permissions.
			{Name: "ListRoles", Method: "GET", Prepare: same("/v1/roles", func(ctx context.Context) error {
				return proof.Ignore(c.ListRoles(ctx))
			})},
			{Name: "GetRole", Method: "GET", Prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID, func(ctx context.Context) error {
				return proof.Ignore(c.GetRole(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{Name: "CreateRole", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := proof.Next("newrole")
				return "/v1/roles", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.CreateRole(ctx, czertainly.RoleInput{Name: name}))
				}
			}},
			{Name: "UpdateRole", Method: "PUT", Prepare: same("/roles/"+role, func(ctx context.Context) error {
				return proof.Ignore(c.UpdateRole(ctx, role, czertainly.RoleInput{Name: "proof role " + role, Description: "updated"}))
			})},
			{Name: "DeleteRole", Method: "DELETE", Bodiless: true, Prepare: onRole("", func(ctx context.Context, id string) error {
				return c.DeleteRole(ctx, id)
			})},
			{Name: "GetRoleUsers", Method: "GET", Prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID+"/users", func(ctx context.Context) error {
				return proof.Ignore(c.GetRoleUsers(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{Name: "SetRoleUsers", Method: "PATCH", Prepare: same("/roles/"+role+"/users", func(ctx context.Context) error {
				return proof.Ignore(c.SetRoleUsers(ctx, role, []string{user}))
			})},
			{Name: "GetRolePermissions", Method: "GET", Prepare: same("/roles/"+czertainlytest.SuperadminRoleUUID+"/permissions", func(ctx context.Context) error {
				return proof.Ignore(c.GetRolePermissions(ctx, czertainlytest.SuperadminRoleUUID))
			})},
			{Name: "SaveRolePermissions", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				// A role of its own: saving resets the role's object
				// permissions, which the object cells work on.
				if permissionsRole == "" {
					permissionsRole = newRole(t)
				}
				return "/roles/" + permissionsRole + "/permissions", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.SaveRolePermissions(ctx, permissionsRole, czertainly.Permissions{Resources: []czertainly.ResourcePermissions{
						{Name: resources[0].Name, Actions: []string{"list", "detail"}}}}))
				}
			}},
			{Name: "GetRoleResourcePermissions", Method: "GET", Prepare: same("/roles/"+role+"/permissions/"+resource, func(ctx context.Context) error {
				return proof.Ignore(c.GetRoleResourcePermissions(ctx, role, resource))
			})},
			{Name: "GetRoleObjectPermissions", Method: "GET", Prepare: same(objectsPath, func(ctx context.Context) error {
				return proof.Ignore(c.GetRoleObjectPermissions(ctx, role, resource))
			})},
			{Name: "AddRoleObjectPermissions", Method: "POST", Bodiless: true, Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := newCertificate(t, false)
				return objectsPath, func(ctx context.Context, _ string) error {
					return c.AddRoleObjectPermissions(ctx, role, resource, []czertainly.ObjectPermissions{object(id)})
				}
			}},
			{Name: "UpdateRoleObjectPermissions", Method: "PUT", Bodiless: true, Prepare: onObject(func(ctx context.Context, id string) error {
				o := object(id)
				o.Deny = []string{"delete"}
				return c.UpdateRoleObjectPermissions(ctx, role, resource, o)
			})},
			{Name: "RemoveRoleObjectPermissions", Method: "DELETE", Bodiless: true, Prepare: onObject(func(ctx context.Context, id string) error {
				return c.RemoveRoleObjectPermissions(ctx, role, resource, id)
			})},

			// The checked escape hatch, by Method: a GET is repeated, a
			// POST is not.
			{Name: "Do GET", Method: "GET", Prepare: same("/v1/certificates/search", func(ctx context.Context) error {
				req, err := czertainlyapi.NewGetCertificateSearchableFieldsRequest(c.Raw().Server)
				if err != nil {
					return err
				}
				var out []czertainly.SearchFieldGroup
				return c.Do(ctx, req, &out)
			})},
			{Name: "Do POST", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				name := proof.Next("rawrole")
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

// concCzertainly2x is the CZERTAINLY 2.x client: reads of the inventory,
// the users, roles and RA profiles, with issues and archives among them.
// Its fake also checks every request and answer against the vendor's
// OpenAPI 3.1 documents, which costs from 1 ms (an archive, the list of
// roles) to 250 ms (a search, a certificate with its content) of CPU per
// request under -race: the run is czertainlyConcCalls calls, weighted
// towards the cheaper reads.
func concCzertainly2x(t *testing.T) *proof.ConcVendor {
	const czertainlyConcCalls = 1_000
	srv := proof.ConcMust(czertainlytest.NewServer()).In(t)
	proof.CloseFake(t, srv)
	newClient := func() *czertainly.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	const authority, ra = czertainlytest.AuthorityUUID, czertainlytest.RAProfileUUID
	profile := czertainly.Profile{AuthorityUUID: authority, RAProfileUUID: ra}
	const admin = czertainlytest.AdminUserUUID

	// Every issue sends a request of its own (its name tells them apart),
	// every archive archives a certificate of its own: both made before
	// the run.
	const issueWeight, archiveWeight = 2, 12
	csrs := make([][]byte, issueWeight*czertainlyConcCalls/proof.ConcCycle)
	for i := range csrs {
		key := proof.ConcMust(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)).In(t)
		csrs[i] = proof.ConcMust(x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: fmt.Sprintf("conc-issue-%05d.example.test", i)}}, key)).In(t)
	}
	targets := make([]string, archiveWeight*czertainlyConcCalls/proof.ConcCycle)
	for i := range targets {
		targets[i] = proof.ConcMust(srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: fmt.Sprintf("conc-archive-%05d.example.test", i),
			ExpiresIn: 200 * 24 * time.Hour, RAProfileUUID: ra})).In(t)
	}

	// Baselines, read one at a time by another client. The seeded
	// certificates are outside what the run issues and archives.
	setup := newClient()
	seeds := proof.ConcMust(setup.ListCertificatesPage(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("seed")}}, 1)).In(t)
	if len(seeds.Certificates) != 3 || seeds.TotalItems != 3 || seeds.Certificates[1].CommonName != "seed2.example.com" {
		t.Fatalf("seeded certificates = %+v", seeds)
	}
	seedID := seeds.Certificates[1].UUID
	seed := proof.ConcMust(setup.GetCertificate(ctx, seedID)).In(t)
	if seed.CommonName != "seed2.example.com" || seed.State != czertainly.CertificateStateIssued || seed.CertificateContent == "" {
		t.Fatalf("seeded certificate = %+v", seed)
	}
	der := proof.ConcMust(setup.DownloadCertificate(ctx, seedID, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER)).In(t)
	if b, err := der.Bytes(); err != nil || base64.StdEncoding.EncodeToString(b) != seed.CertificateContent {
		t.Fatalf("seeded certificate downloads as %+v (%v), not its content", der, err)
	}
	history := proof.ConcMust(setup.GetCertificateHistory(ctx, seedID)).In(t)
	if len(history) != 1 || history[0].Event != "Issue Certificate" {
		t.Fatalf("seeded certificate's history = %+v", history)
	}
	// The validation's timestamp is the time of the call.
	validation := proof.ConcMust(setup.ValidateCertificate(ctx, seedID)).In(t)
	validation.ValidationTimestamp = time.Time{}
	if validation.ResultStatus != czertainly.ValidationStatusExpiring {
		t.Fatalf("seeded certificate's validation = %+v, want expiring", validation)
	}
	users := proof.ConcMust(setup.ListUsers(ctx)).In(t)
	adminRoles := proof.ConcMust(setup.GetUserRoles(ctx, admin)).In(t)
	adminPermissions := proof.ConcMust(setup.GetUserPermissions(ctx, admin)).In(t)
	if len(users) != 1 || users[0].UUID != admin || len(adminRoles) != 1 || adminRoles[0].UUID != czertainlytest.SuperadminRoleUUID || !adminPermissions.AllowAllResources {
		t.Fatalf("seeded users = %+v, admin's roles %+v, permissions %+v", users, adminRoles, adminPermissions)
	}
	roles := proof.ConcMust(setup.ListRoles(ctx)).In(t)
	if len(roles) != 1 || roles[0].UUID != czertainlytest.SuperadminRoleUUID {
		t.Fatalf("seeded roles = %+v", roles)
	}
	raProfiles := proof.ConcMust(setup.ListRAProfiles(ctx, nil)).In(t)
	raProfile := proof.ConcMust(setup.GetRAProfile(ctx, authority, ra)).In(t)
	if len(raProfiles) != 2 || raProfile.Name != czertainlytest.RAProfileName || raProfile.AuthorityInstanceUUID != authority {
		t.Fatalf("RA profiles = %+v, default %+v", raProfiles, raProfile)
	}

	c := newClient()
	var nextCSR, nextTarget atomic.Int64
	var mu sync.Mutex
	submitted := map[string]bool{}
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(czertainlytest.Fault(f)) },
		Total: czertainlyConcCalls,
		Calls: []proof.ConcCall{
			{Name: "DownloadCertificate", Weight: 16, Do: func(ctx context.Context, _ int) error {
				got, err := c.DownloadCertificate(ctx, seedID, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER)
				if err != nil {
					return err
				}
				return proof.ConcSame("download", got, der)
			}},
			{Name: "GetCertificateHistory", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetCertificateHistory(ctx, seedID)
				if err != nil {
					return err
				}
				return proof.ConcSame("history", got, history)
			}},
			{Name: "ValidateCertificate", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.ValidateCertificate(ctx, seedID)
				if err != nil {
					return err
				}
				got.ValidationTimestamp = time.Time{}
				return proof.ConcSame("validation", got, validation)
			}},
			{Name: "GetCertificate", Weight: 1, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetCertificate(ctx, seedID)
				if err != nil {
					return err
				}
				return proof.ConcSame("certificate", got, seed)
			}},
			{Name: "ListUsers", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListUsers(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("users", got, users)
			}},
			{Name: "GetUserRoles", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetUserRoles(ctx, admin)
				if err != nil {
					return err
				}
				return proof.ConcSame("admin's roles", got, adminRoles)
			}},
			{Name: "GetUserPermissions", Weight: 8, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetUserPermissions(ctx, admin)
				if err != nil {
					return err
				}
				return proof.ConcSame("admin's permissions", got, adminPermissions)
			}},
			{Name: "ListRoles", Weight: 10, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListRoles(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("roles", got, roles)
			}},
			{Name: "GetRAProfile", Weight: 2, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetRAProfile(ctx, authority, ra)
				if err != nil {
					return err
				}
				return proof.ConcSame("RA profile", got, raProfile)
			}},
			{Name: "ListRAProfiles", Weight: 1, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListRAProfiles(ctx, nil)
				if err != nil {
					return err
				}
				return proof.ConcSame("RA profiles", got, raProfiles)
			}},
			{Name: "IssueCertificate", Weight: issueWeight, Do: func(ctx context.Context, _ int) error {
				i := int(nextCSR.Add(1)) - 1
				if i >= len(csrs) {
					return fmt.Errorf("issue %d: only %d requests were made", i, len(csrs))
				}
				sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: csrs[i]})
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				if submitted[sub.UUID] {
					return fmt.Errorf("issue answered with certificate %s twice", sub.UUID)
				}
				submitted[sub.UUID] = true
				return nil
			}},
			{Name: "ArchiveCertificate", Weight: archiveWeight, Do: func(ctx context.Context, _ int) error {
				i := int(nextTarget.Add(1)) - 1
				if i >= len(targets) {
					return fmt.Errorf("archive %d: only %d certificates were made", i, len(targets))
				}
				return c.ArchiveCertificate(ctx, targets[i])
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			ctx := t.Context()
			list := func(cn string, archived bool) []czertainly.Certificate {
				var out []czertainly.Certificate
				for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName(cn)},
					IncludeArchived: archived, PageSize: czertainly.MaxPageSize}) {
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, crt)
				}
				return out
			}
			// Every issue is one certificate of the inventory, under its
			// own name and with the UUID its answer gave.
			issued := list("conc-issue-", false)
			names := map[string]int{}
			for _, crt := range issued {
				names[crt.CommonName]++
				if !submitted[crt.UUID] {
					t.Errorf("certificate %s (%s) was not answered to an issue", crt.UUID, crt.CommonName)
				}
			}
			if n := made["IssueCertificate"]; n != len(csrs) || len(issued) != n || len(submitted) != n || len(names) != n {
				t.Errorf("the fake holds %d issued certificates under %d names for %d answers, want %d", len(issued), len(names), len(submitted), n)
			}
			// Every archive archived its own certificate, and nothing else
			// was archived.
			if n := made["ArchiveCertificate"]; n != len(targets) {
				t.Errorf("%d archive calls for %d certificates", n, len(targets))
			}
			if left := list("conc-archive-", false); len(left) != 0 {
				t.Errorf("%d certificates were not archived, first %s", len(left), left[0].CommonName)
			}
			if all := list("conc-archive-", true); len(all) != len(targets) {
				t.Errorf("%d archived certificates listed, want %d", len(all), len(targets))
			}
			if got := proof.ConcMust(c.ListCertificatesPage(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("seed")}}, 1)).In(t); !reflect.DeepEqual(got, seeds) {
				t.Errorf("seeded certificates changed: %+v", got)
			}
		},
	}
}
