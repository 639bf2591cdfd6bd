package oracle

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/internal/oracletest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

// czertainlyDocuments are CZERTAINLY's published 2.17.0 documents (all of
// them: the client's calls are spread over five, the cert-manager subset
// repeats some). A Prism serves each document in czertainlyServed; the
// others define none of the client's calls, which the router checks on
// every request (a Prism takes a CPU-minute to start on a loaded machine).
var czertainlyDocuments = []string{
	"doc-openapi-core-auth.yaml",
	"doc-openapi-core-certificate.yaml",
	"doc-openapi-core-client-operations-v2.yaml",
	"doc-openapi-core-approval.yaml",
	"doc-openapi-core-ra-profile.yaml",
	"doc-openapi-core-authority.yaml",
	"doc-openapi-core-group.yaml",
	"doc-openapi-core-connector.yaml",
	"doc-openapi-cert-manager.yaml",
}

var czertainlyServed = map[string]bool{
	"doc-openapi-core-auth.yaml":                 true,
	"doc-openapi-core-certificate.yaml":          true,
	"doc-openapi-core-client-operations-v2.yaml": true,
	"doc-openapi-core-approval.yaml":             true,
	"doc-openapi-core-ra-profile.yaml":           true,
	"doc-openapi-core-authority.yaml":            true,
	"doc-openapi-core-group.yaml":                true,
	"doc-openapi-cert-manager.yaml":              true,
}

// attributeContentDefect matches the violation that the documents' own
// defect causes for every attribute a request carries: the content item
// schemas of the attribute content types are a oneOf whose branches
// overlap (a {"data": "text"} item is a valid string, text, secret, ...
// item at once), so a valid item matches several branches and Prism
// rejects it.
var attributeContentDefect = regexp.MustCompile(`(?i)must match exactly one schema in oneOf`)

type czFixtures struct {
	profile        czertainly.Profile
	uuid, uuid2    string
	csrPEM         []byte
	certDER        []byte
	attrs          []czertainly.RequestAttribute
	objPermissions []czertainly.ObjectPermissions
}

func newCzFixtures(t *testing.T) czFixtures {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "oracle.example.com"}, DNSNames: []string{"oracle.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := testcert.ForName(t, "oracle user")
	attr := czertainly.RequestAttribute{
		UUID: "9b1a6f4e-3c2d-4e5f-8a7b-1c2d3e4f5a6b", Name: "mode", ContentType: "string", Version: "v2",
		Content: []map[string]any{{"data": "fast"}},
	}
	return czFixtures{
		profile: czertainly.Profile{AuthorityUUID: "0f1e2d3c-4b5a-4968-8776-655443322110", RAProfileUUID: "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"},
		uuid:    "2b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e",
		uuid2:   "3c4d5e6f-7a8b-4c0d-9e2f-3a4b5c6d7e8f",
		csrPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}),
		certDER: cert.Raw,
		attrs:   []czertainly.RequestAttribute{attr},
		objPermissions: []czertainly.ObjectPermissions{{
			UUID: "4d5e6f7a-8b9c-4d1e-8f3a-4b5c6d7e8f9a", Name: "an object", Allow: []string{"detail"}, Deny: []string{},
		}},
	}
}

// czRow calls one operation. attributes marks the operations whose
// request carries attribute content, where the documents' own defect must
// show (attributeContentDefect).
type czRow struct {
	call func(ctx context.Context, c *czertainly.Client) error
	// attributes, when set, is the same call carrying attributes: every
	// document rejects those (attributeContentDefect) and answers with its
	// documented 400 or 422, which the client must turn into its typed
	// error; call itself sends none and must pass clean.
	attributes func(ctx context.Context, c *czertainly.Client, attrs []czertainly.RequestAttribute) error
	// outcomes are errors that are answers, not failures: a wait that ends
	// on a state Prism's answer gave (pending, failed, rejected).
	outcomes []error
	// echoesAttributes marks an update that reads the object first and
	// sends its custom attributes back with the change (read, merge, send
	// all): its request carries whatever attributes the document's own
	// answer had, so the documents' attribute defect may show on it. Where
	// it does, the call is held to what an attributes call is held to (the
	// defect, the typed 400/422); where the answer had none, to a clean run.
	echoesAttributes bool
	// unanswerable, when set, is the failure Prism must still report for
	// this call's static answers: the document gives its answer a media
	// type Prism cannot write (a defect of the document, asserted, not
	// skipped).
	unanswerable *regexp.Regexp
	// maxRequests, when set, ends the call's context once that many
	// requests were answered: a wait for a change Prism's answers never
	// show (a deletion) stops by count, not by time.
	maxRequests int
}

// countingTransport cancels a call's context once max requests were
// answered.
type countingTransport struct {
	rt     http.RoundTripper
	max    int
	n      int
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n++; c.n >= c.max {
		c.cancel()
	}
	return resp, err
}

func czRows(f czFixtures) map[string]czRow {
	p, u, u2 := f.profile, f.uuid, f.uuid2
	waits := []error{czertainly.ErrPending, czertainly.ErrApprovalPending, czertainly.ErrIssueFailed, czertainly.ErrRejected}
	yes := true
	createUser := func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
		return oracletest.Err1(c.CreateUser(ctx, czertainly.UserInput{Username: "alice", FirstName: "Alice", LastName: "Doe", Email: "alice@example.com",
			GroupUUIDs: []string{u2}, Enabled: true, Certificate: f.certDER, CustomAttributes: a}))
	}
	enroll := func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
		return oracletest.Err1(c.Enroll(ctx, czertainly.EnrollInput{Profile: p, Subject: pkix.Name{CommonName: "enroll.example.com"},
			DNSNames: []string{"enroll.example.com"}, Attributes: a}))
	}
	issue := func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
		return oracletest.Err1(c.IssueCertificate(ctx, czertainly.IssueInput{Profile: p, CSR: f.csrPEM, Attributes: a}))
	}
	revoke := func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
		return c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: p, CertificateUUID: u, Reason: czertainly.RevocationReasonUnspecified, Attributes: a})
	}
	return map[string]czRow{
		"AddRoleObjectPermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.AddRoleObjectPermissions(ctx, u, u2, f.objPermissions)
		}},
		"AddUserRole": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.AddUserRole(ctx, u, u2))
		}},
		"ApproveApproval": {call: func(ctx context.Context, c *czertainly.Client) error { return c.ApproveApproval(ctx, u) }},
		"ApproveApprovalAsRecipient": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.ApproveApprovalAsRecipient(ctx, u, "fine")
		}},
		"ArchiveCertificate": {call: func(ctx context.Context, c *czertainly.Client) error { return c.ArchiveCertificate(ctx, u) }},
		"ArchiveCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.ArchiveCertificates(ctx, []string{u, u2})
		}},
		"CreateRole": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.CreateRole(ctx, czertainly.RoleInput{Name: "auditors", Description: "read only", Email: "audit@example.com"}))
		}},
		"CreateUser": {
			call: func(ctx context.Context, c *czertainly.Client) error { return createUser(ctx, c, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return createUser(ctx, c, a)
			},
		},
		"DeleteCertificate": {call: func(ctx context.Context, c *czertainly.Client) error { return c.DeleteCertificate(ctx, u) }},
		"DeleteCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.DeleteCertificates(ctx, []string{u, u2}))
		}},
		"DeleteRole":  {call: func(ctx context.Context, c *czertainly.Client) error { return c.DeleteRole(ctx, u) }},
		"DeleteUser":  {call: func(ctx context.Context, c *czertainly.Client) error { return c.DeleteUser(ctx, u) }},
		"DisableUser": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.DisableUser(ctx, u)) }},
		"DownloadCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.DownloadCertificate(ctx, u, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingPEM))
		}},
		"DownloadCertificateChain": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.DownloadCertificateChain(ctx, u, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingPEM, true))
		}},
		"EnableUser": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.EnableUser(ctx, u)) }},
		// Prism's dynamic answer to the issue names the new certificate by
		// a placeholder, not a UUID; the client refuses to poll for it.
		"Enroll": {outcomes: append(slices.Clone(waits), czertainly.ErrInvalidInput),
			call: func(ctx context.Context, c *czertainly.Client) error { return enroll(ctx, c, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return enroll(ctx, c, a)
			},
		},
		"GetApproval": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetApproval(ctx, u)) }},
		"GetApprovalProfile": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetApprovalProfile(ctx, u, 1))
		}},
		"GetAuthProfile": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetAuthProfile(ctx)) }},
		"GetCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetCertificate(ctx, u))
		}},
		"GetCertificateChain": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetCertificateChain(ctx, u, true))
		}},
		"GetCertificateHistory": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetCertificateHistory(ctx, u))
		}},
		"GetRAProfile": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetRAProfile(ctx, p.AuthorityUUID, p.RAProfileUUID))
		}},
		"GetRole": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetRole(ctx, u)) }},
		"GetRoleObjectPermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetRoleObjectPermissions(ctx, u, u2))
		}},
		"GetRolePermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetRolePermissions(ctx, u))
		}},
		"GetRoleResourcePermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetRoleResourcePermissions(ctx, u, u2))
		}},
		"GetRoleUsers": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetRoleUsers(ctx, u)) }},
		"GetUser":      {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetUser(ctx, u)) }},
		"GetUserPermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.GetUserPermissions(ctx, u))
		}},
		"GetUserRoles": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.GetUserRoles(ctx, u)) }},
		"IdentifyUser": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.IdentifyUser(ctx, f.certDER))
		}},
		"IssueCertificate": {
			call: func(ctx context.Context, c *czertainly.Client) error { return issue(ctx, c, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return issue(ctx, c, a)
			},
		},
		"IssueRequestedCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.IssueRequestedCertificate(ctx, p, u))
		}},
		"ListApprovalProfiles": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.ListApprovalProfiles(ctx))
		}},
		"ListApprovals": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.ListApprovals(ctx, czertainly.ApprovalQuery{}))
		}},
		"ListAuthResources": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListAuthResources(ctx))
		}},
		"ListCertificateLocations": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListCertificateLocations(ctx, u))
		}},
		"ListCertificateSearchFields": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListCertificateSearchFields(ctx))
		}},
		"CertificateInventory": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.CertificateInventory(ctx))
		}},
		"ListCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.ListCertificates(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("oracle")}}))
		}},
		"ListCertificatesPage": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListCertificatesPage(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterExpiresWithin(30)}}, 1))
		}},
		"ListIssueAttributes": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListIssueAttributes(ctx, p))
		}},
		"ListRAProfileApprovalProfiles": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListRAProfileApprovalProfiles(ctx, p.AuthorityUUID, p.RAProfileUUID))
		}},
		"ListRAProfiles": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListRAProfiles(ctx, &yes))
		}},
		"ListRevokeAttributes": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ListRevokeAttributes(ctx, p))
		}},
		"ListRoles": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.ListRoles(ctx)) }},
		"ListUserApprovals": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.ListUserApprovals(ctx, czertainly.ApprovalQuery{History: true}))
		}},
		"ListUsers":      {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.ListUsers(ctx)) }},
		"RejectApproval": {call: func(ctx context.Context, c *czertainly.Client) error { return c.RejectApproval(ctx, u) }},
		"RejectApprovalAsRecipient": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.RejectApprovalAsRecipient(ctx, u, "no")
		}},
		"RekeyCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: p, CertificateUUID: u, CSR: f.csrPEM, ReplaceInLocations: true}))
		}},
		"RemoveRoleObjectPermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.RemoveRoleObjectPermissions(ctx, u, u2, f.objPermissions[0].UUID)
		}},
		"RemoveUserRole": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.RemoveUserRole(ctx, u, u2))
		}},
		"RenewCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.RenewCertificate(ctx, czertainly.RenewInput{Profile: p, CertificateUUID: u, CSR: f.csrPEM}))
		}},
		// The candidates' RA profiles in Prism's answers are placeholders
		// ("string", lorem ipsum), not UUIDs; the client rightly refuses to
		// renew through them before sending (ErrInvalidInput per result).
		"RenewExpiring": {outcomes: []error{czertainly.ErrInvalidInput}, call: func(ctx context.Context, c *czertainly.Client) error {
			rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, Concurrency: 1})
			if err != nil {
				return err
			}
			var errs []error
			for _, r := range rep.Results {
				errs = append(errs, r.Err)
			}
			return errors.Join(errs...)
		}},
		"ResumeEnrollment": {outcomes: waits, call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ResumeEnrollment(ctx, &czertainly.PendingError{Profile: p, CertificateUUID: u, State: czertainly.CertificateState("pending_issue")}))
		}},
		"RevokeCertificate": {
			call: func(ctx context.Context, c *czertainly.Client) error { return revoke(ctx, c, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return revoke(ctx, c, a)
			},
		},
		"SaveRolePermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.SaveRolePermissions(ctx, u, czertainly.Permissions{AllowAllResources: true, Resources: []czertainly.ResourcePermissions{}}))
		}},
		"SetRoleUsers": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.SetRoleUsers(ctx, u, []string{u2}))
		}},
		"SetUserRoles": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.SetUserRoles(ctx, u, []string{u2}))
		}},
		"UnarchiveCertificate": {call: func(ctx context.Context, c *czertainly.Client) error { return c.UnarchiveCertificate(ctx, u) }},
		"UnarchiveCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.UnarchiveCertificates(ctx, []string{u, u2})
		}},
		"UpdateCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			owner, groups := u2, []string{u2}
			return c.UpdateCertificate(ctx, u, czertainly.CertificateUpdate{OwnerUUID: &owner, GroupUUIDs: &groups})
		}},
		// UpdateRole sends the role's custom attributes from Prism's answer
		// back with the change.
		"UpdateRole": {echoesAttributes: true, call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.UpdateRole(ctx, u, czertainly.RoleInput{Name: "auditors", Description: "read only"}))
		}},
		"UpdateRoleObjectPermissions": {call: func(ctx context.Context, c *czertainly.Client) error {
			return c.UpdateRoleObjectPermissions(ctx, u, u2, f.objPermissions[0])
		}},
		// The documents' user examples link a certificate whose uuid is a
		// placeholder ("string", lorem ipsum: UserCertificateDto.uuid has
		// no format), which UpdateUser refuses to send back as the link to
		// keep; both ways a caller settles that are called: naming the
		// certificate to link, and unlinking it. Custom attributes from the
		// answer are sent back.
		"UpdateUser": {echoesAttributes: true, call: func(ctx context.Context, c *czertainly.Client) error {
			_, err := c.UpdateUser(ctx, u, czertainly.UserInput{FirstName: "Alice", Email: "alice@example.com"})
			if err != nil && !errors.Is(err, czertainly.ErrInvalidInput) && !documentRejection(err) {
				return fmt.Errorf("keeping the linked certificate: %w", err)
			}
			if _, err := c.UpdateUser(ctx, u, czertainly.UserInput{FirstName: "Alice", Email: "alice@example.com", CertificateUUID: u2}); err != nil {
				return err
			}
			return oracletest.Err1(c.UpdateUser(ctx, u, czertainly.UserInput{Email: "alice@example.com", UnlinkCertificate: true}))
		}},
		"UploadCertificate": {
			call: func(ctx context.Context, c *czertainly.Client) error {
				return oracletest.Err1(c.UploadCertificate(ctx, f.certDER, nil))
			},
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return oracletest.Err1(c.UploadCertificate(ctx, f.certDER, a))
			},
		},
		"ValidateCertificate": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.ValidateCertificate(ctx, u))
		}},
		"ValidateIssueAttributes": {
			call: func(ctx context.Context, c *czertainly.Client) error { return c.ValidateIssueAttributes(ctx, p, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return c.ValidateIssueAttributes(ctx, p, a)
			},
		},
		"ValidateRevokeAttributes": {
			call: func(ctx context.Context, c *czertainly.Client) error { return c.ValidateRevokeAttributes(ctx, p, nil) },
			attributes: func(ctx context.Context, c *czertainly.Client, a []czertainly.RequestAttribute) error {
				return c.ValidateRevokeAttributes(ctx, p, a)
			},
		},
		"BulkUpdateCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			owner, groups, ra := u2, []string{u2}, p.RAProfileUUID
			return c.BulkUpdateCertificates(ctx, []string{u, u2}, czertainly.CertificateUpdate{OwnerUUID: &owner, GroupUUIDs: &groups, RAProfileUUID: &ra})
		}},
		// Both documents that define relations give every answer of it the
		// media type */* only (Core's controller declares none), which
		// Prism cannot write: it answers its own 500 from the examples.
		"GetCertificateRelations": {unanswerable: regexp.MustCompile(`Cannot find serializer for \*/\*`),
			call: func(ctx context.Context, c *czertainly.Client) error {
				return oracletest.Err1(c.GetCertificateRelations(ctx, u))
			}},
		"ListAuthorities": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.ListAuthorities(ctx)) }},
		"ListCertificateApprovals": {call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.First(c.ListCertificateApprovals(ctx, u, czertainly.ApprovalQuery{}))
		}},
		"ListGroups": {call: func(ctx context.Context, c *czertainly.Client) error { return oracletest.Err1(c.ListGroups(ctx)) }},
		// Prism answers every certificate with a 200: both remain.
		"RemainingCertificates": {call: func(ctx context.Context, c *czertainly.Client) error {
			left, err := c.RemainingCertificates(ctx, []string{u, u2})
			if err == nil && len(left) != 2 {
				return fmt.Errorf("%d certificates remain of 2 Prism keeps answering", len(left))
			}
			return err
		}},
		// Prism never shows the certificate gone: the wait ends (by count)
		// with the certificate named as remaining.
		"WaitForDeletion": {maxRequests: 3, call: func(ctx context.Context, c *czertainly.Client) error {
			err := c.WaitForDeletion(ctx, []string{u})
			var pe *czertainly.DeletionPendingError
			if errors.As(err, &pe) && slices.Equal(pe.Remaining, []string{u}) {
				return nil
			}
			return fmt.Errorf("want a *DeletionPendingError naming %s, got %w", u, err)
		}},
		// The state in Prism's answer decides the outcome: revoked, a wait
		// still pending (issued or pending_revoke, a *PendingError) or a
		// state a revocation does not lead to (a *StateError).
		"WaitForRevocation": {call: func(ctx context.Context, c *czertainly.Client) error {
			_, err := c.WaitForRevocation(ctx, u)
			var pe *czertainly.PendingError
			var se *czertainly.StateError
			if errors.As(err, &pe) || errors.As(err, &se) {
				return nil
			}
			return err
		}},
		"WaitForCertificate": {outcomes: waits, call: func(ctx context.Context, c *czertainly.Client) error {
			return oracletest.Err1(c.WaitForCertificate(ctx, u))
		}},
	}
}

// documentRejection reports whether err is the client's typed error for
// the documented 400 or 422 a Prism answers a request it rejects with.
func documentRejection(err error) bool {
	var e *czertainly.Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity)
}

// defectLocations are the places of the documents' attribute defect in
// one request: the attributes (or their content items) that Prism says
// match more than one branch of their oneOf. Attributes are the only oneOf
// in the client's request bodies.
func defectLocations(vs []interop.Violation) [][]string {
	var out [][]string
	for _, v := range vs {
		if len(v.Location) > 1 && v.Location[0] == "request" && attributeContentDefect.MatchString(v.Message) && slices.Contains(v.Location, "body") {
			out = append(out, v.Location)
		}
	}
	return out
}

// attributeItem reports whether loc lies inside one attribute of the
// request body (customAttributes.N or attributes.N, at any depth).
func attributeItem(loc []string) bool {
	if len(loc) < 2 || loc[0] != "request" || loc[1] != "body" {
		return false
	}
	for i := 2; i+1 < len(loc); i++ {
		if loc[i] == "customAttributes" || loc[i] == "attributes" {
			if _, err := strconv.Atoi(loc[i+1]); err == nil {
				return true
			}
		}
	}
	return false
}

// cutInsideAttributes reports whether Prism cut the request's violation
// list short (interop marks the rest as request.(unknown)) while every
// violation it did list lies inside an attribute: then the list's oneOf
// items, which Prism writes after the branches' reasons, were cut.
func cutInsideAttributes(vs []interop.Violation) bool {
	cut, inside := false, 0
	for _, v := range vs {
		switch {
		case len(v.Location) == 2 && v.Location[0] == "request" && v.Location[1] == "(unknown)":
			cut = true
		case attributeItem(v.Location):
			inside++
		case len(v.Location) > 0 && v.Location[0] == "request":
			return false
		}
	}
	return cut && inside > 0
}

// explainedBy reports whether v lies inside one of the defect's places:
// Prism lists, beside the oneOf itself, why each branch failed.
func explainedBy(v interop.Violation, defect [][]string) bool {
	for _, d := range defect {
		if len(v.Location) >= len(d) && slices.Equal(v.Location[:len(d)], d) {
			return true
		}
	}
	return false
}

func TestCzertainlyClientAgainstVendorDocuments(t *testing.T) {
	t.Parallel()
	began := time.Now()
	f := newCzFixtures(t)
	rows := czRows(f)
	oracletest.CheckCoverage(t, oracletest.OperationMethods(reflect.TypeFor[*czertainly.Client](), oracletest.NotOperations), rows)

	docs := make([]string, len(czertainlyDocuments))
	for i, d := range czertainlyDocuments {
		docs[i] = interop.Reference(t, "czertainly/2.17.0/"+d)
	}
	prisms := interop.LoadDocuments(t, docs...)
	var served []*interop.Prism
	for _, p := range prisms {
		if czertainlyServed[p.Name] {
			served = append(served, p)
		}
	}
	interop.StartPrisms(t, served...)
	started := time.Since(began)

	var tally oracletest.Tally
	tally.Operations = len(rows)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range rows {
			if !yield(n) {
				return
			}
		}
	})
	// touched: the documents each operation's requests are defined in.
	touched := map[string]map[string]bool{}
	answered := map[string]int{}
	// mediaDefectSeen: the calls whose unanswerable defect showed.
	mediaDefectSeen := map[string]bool{}
	answeredBy := map[string]map[string]bool{}
	var mu sync.Mutex

	run := func(t *testing.T, firstDoc string, m oracletest.Mode, name string, withAttrs bool) {
		row := rows[name]
		call := row.call
		if withAttrs {
			call = func(ctx context.Context, c *czertainly.Client) error { return row.attributes(ctx, c, f.attrs) }
		}
		router := &interop.PrismRouter{Prisms: prisms, StripPrefix: "/api", First: firstDoc, Prefer: m.Prefer}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// A wait ends after three looks at a certificate Prism keeps
		// pending: counted, not timed.
		looks := 0
		var rt http.RoundTripper = router
		if row.maxRequests > 0 {
			rt = &countingTransport{rt: router, max: row.maxRequests, cancel: cancel}
		}
		c, err := czertainly.NewClient("http://127.0.0.1:1", czertainly.WithSessionCookie("oracle-session"),
			czertainly.WithHTTPClient(&http.Client{Transport: rt}), czertainly.WithMaxAttempts(1),
			czertainly.WithPollInterval(time.Millisecond), czertainly.WithWaitTimeout(0),
			czertainly.WithProgress(func(czertainly.Progress) {
				if looks++; looks >= 3 {
					cancel()
				}
			}))
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		err = call(ctx, c)
		exs := router.Take()
		mu.Lock()
		defer mu.Unlock()
		tally.Requests += len(exs)
		if touched[name] == nil {
			touched[name] = map[string]bool{}
		}
		sawDefect, prismFailed := false, false
		if m.Name == "discovery" {
			for _, ex := range exs {
				if answeredBy[name] == nil {
					answeredBy[name] = map[string]bool{}
				}
				answeredBy[name][ex.Document] = true
			}
		}
		for _, ex := range exs {
			defect := defectLocations(ex.Violations)
			carries := withAttrs || row.echoesAttributes
			if carries && cutInsideAttributes(ex.Violations) {
				// Prism cut the list short (8 KiB), dropping oneOf items it
				// lists after the branches' reasons; what it listed all lies
				// inside attributes.
				defect = append(defect, []string{"request", "(unknown)"})
				for _, v := range ex.Violations {
					if attributeItem(v.Location) {
						defect = append(defect, v.Location)
					}
				}
				tally.CutLists++
			}
			sawDefect = sawDefect || len(defect) > 0
			for _, d := range ex.Defined {
				touched[name][d] = true
			}
			for _, d := range ex.Unserved {
				t.Errorf("%s: %s %s is defined in %s, which no Prism serves: add it to czertainlyServed", name, ex.Method, ex.Path, d)
			}
			answered[ex.Document]++
			tally.AnswerViolations += len(ex.ResponseViolations)
			if ex.PrismFailed != "" && row.unanswerable != nil && row.unanswerable.MatchString(ex.PrismFailed) {
				prismFailed = true
				tally.Unanswerable++
				mediaDefectSeen[name] = true
			} else if ex.PrismFailed != "" {
				prismFailed = true
				tally.PrismFailures++
				if m.Prefer == "" {
					t.Errorf("%s (%s, %s): %s %s: Prism could not answer from the document's examples: %s", name, m.Name, firstDoc, ex.Method, ex.Path, ex.PrismFailed)
				}
			}
			for _, v := range ex.Violations {
				if (withAttrs || row.echoesAttributes) && explainedBy(v, defect) {
					continue
				}
				tally.Violations++
				t.Errorf("%s (%s, %s): %s %s: Prism (%s) flags the request: %s", name, m.Name, firstDoc, ex.Method, ex.Path, ex.Document, v)
			}
		}
		if row.echoesAttributes && sawDefect {
			tally.Defects++
			if err == nil || documentRejection(err) {
				return
			}
		}
		if withAttrs {
			if !sawDefect {
				t.Errorf("%s (%s): the documents' attribute content oneOf defect no longer shows: expect attributes to pass clean now", name, m.Name)
				return
			}
			tally.Defects++
			// The document's answer to a request it rejects is its 400 or
			// 422, which the client must have decoded into its typed error.
			if documentRejection(err) {
				return
			}
			if err == nil && !prismFailed {
				return
			}
		}
		// A dynamic answer Prism failed to generate is Prism's limit, not
		// the client's; the static run of the same call must pass.
		if err != nil && !prismFailed {
			for _, o := range row.outcomes {
				if errors.Is(err, o) {
					return
				}
			}
			// Prism makes up a page's totalItems apart from its items; a
			// short page that counts more past it is refused by the
			// pager (ErrPagingMismatch), which decoded it first.
			if m.Prefer != "" && errors.Is(err, czertainly.ErrPagingMismatch) {
				tally.InconsistentPages++
				return
			}
			tally.DecodeFailures++
			t.Errorf("%s (%s, %s): Prism's answer does not go through the client: %v", name, m.Name, firstDoc, err)
		}
	}

	// A first static run finds the documents that define each call (in
	// the default order, the specific documents before the cert-manager
	// subset). Then every other document that defines a call answers it
	// statically too, and the documents first in line answer every call
	// dynamically under each seed. Calls run four at a time: Prism is slow
	// to validate its large answers, and each document has its own Prism.
	variants := func(name string) []bool {
		if rows[name].attributes != nil {
			return []bool{false, true}
		}
		return []bool{false}
	}
	for _, name := range names {
		for _, a := range variants(name) {
			run(t, "", oracletest.Mode{Name: "discovery"}, name, a)
		}
	}
	type job struct {
		first string
		m     oracletest.Mode
		name  string
		attrs bool
	}
	var jobs []job
	for _, name := range names {
		for _, p := range prisms {
			if touched[name][p.Name] && !answeredBy[name][p.Name] {
				for _, a := range variants(name) {
					jobs = append(jobs, job{p.Name, oracletest.Mode{Name: "static"}, name, a})
				}
			}
		}
		for _, m := range oracletest.PrismModes()[1:] {
			for _, a := range variants(name) {
				jobs = append(jobs, job{"", m, name, a})
			}
		}
	}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			run(t, j.first, j.m, j.name, j.attrs)
		})
	}
	wg.Wait()

	for _, name := range names {
		if rows[name].unanswerable != nil && !mediaDefectSeen[name] {
			t.Errorf("%s: Prism no longer fails with %q on the documents' answer: the document's media type defect is gone; check the answer decodes", name, rows[name].unanswerable)
		}
	}
	tally.Controls = czertainlyControls(t, prisms)
	var unanswered []string
	for _, p := range prisms {
		if !p.Running() {
			unanswered = append(unanswered, p.Name)
			continue
		}
		t.Logf("prism %s: %d operations in the document, started in %.1fs, answered %d requests", p.Name, p.Operations(), p.Startup.Seconds(), answered[p.Name])
		if answered[p.Name] == 0 {
			t.Errorf("prism %s answered none of the client's calls: drop it from czertainlyServed", p.Name)
		}
	}
	sort.Strings(unanswered)
	t.Logf("documents that define none of the client's calls (not served): %s", strings.Join(unanswered, ", "))
	t.Logf("oracle prism/czertainly-2.17.0: %s startup_s=%.1f cost_s=%.1f", tally, started.Seconds(), time.Since(began).Seconds())
}

// czertainlyControls sends requests that break the documents on purpose
// and fails unless Prism flags each: a clean run above means something
// only if the same path would have caught a bad request.
func czertainlyControls(t *testing.T, prisms []*interop.Prism) int {
	flagged := 0
	controls := []struct {
		name   string
		opts   []czertainly.Option
		method string
		path   string
		body   string
	}{
		{name: "user without its required username", method: http.MethodPost, path: "/api/v1/users",
			opts: []czertainly.Option{czertainly.WithSessionCookie("oracle-session")}, body: `{"firstName": 5}`},
		{name: "no credentials at all", method: http.MethodGet, path: "/api/v1/users"},
	}
	for _, ctl := range controls {
		router := &interop.PrismRouter{Prisms: prisms, StripPrefix: "/api"}
		c, err := czertainly.NewClient("http://127.0.0.1:1", append(ctl.opts, czertainly.WithHTTPClient(&http.Client{Transport: router}), czertainly.WithMaxAttempts(1))...)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), ctl.method, "http://127.0.0.1:1"+ctl.path, strings.NewReader(ctl.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		_ = c.Do(t.Context(), req, nil)
		c.Close()
		n := 0
		for _, ex := range router.Take() {
			if ex.Document == "" {
				t.Errorf("negative control %q: no Prism answered %s %s", ctl.name, ex.Method, ex.Path)
			}
			n += len(ex.Violations)
		}
		if n == 0 {
			t.Errorf("negative control %q: Prism flagged nothing; a clean run proves nothing", ctl.name)
			continue
		}
		flagged++
	}
	return flagged
}
