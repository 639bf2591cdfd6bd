package mimcm_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// TestProof registers MIM CM with the proof suite (internal/proof). The
// client is proven signed in with basic credentials (mimcmVendor) and, for
// secrets, with NTLM too (mimcmNTLMVendor). The fault matrix leaves the NTLM
// vendor out: its request count (handshake legs subtracted on the client
// side) came out wrong in some runs under load, and a matrix that can fail
// for its own counting proves nothing.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*mimcm.Client](), Matrix: []proof.Builder{mimcmVendor}, SecretsOnly: []proof.Builder{mimcmNTLMVendor},
		Concurrency: concMIMCM, Root: ".",
		NotInMatrix: map[string]string{
			"Raw": "returns the generated client; sends nothing",
		},
	})
}

// mimcmUser is the account the proof's MIM CM clients sign in as; the fake
// knows it as its main user's identity (UserUUID), the target of the
// sample requests.
const mimcmUser = `CONTOSO\proof`

// mimcmAPI is the path the client puts before every operation's.
const mimcmAPI = "/CertificateManagement/api/v1.0"

func mimcmOptions(logs *proof.SyncBuffer, auth ...mimcm.Option) []mimcm.Option {
	return append([]mimcm.Option{mimcm.WithRetry(mimcm.RetryPolicy(proof.Retry)), mimcm.WithTimeout(proof.Timeout),
		mimcm.WithLogger(proof.Logger(logs))}, auth...)
}

func mimcmVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	srv.AddUser(mimcmtest.User{Username: mimcmUser, Password: secrets.Password, ID: mimcmtest.UserUUID})
	logs := &proof.SyncBuffer{}
	c, err := mimcm.NewClient(srv.URL, mimcmOptions(logs, mimcm.WithBasicAuth(mimcmUser, secrets.Password))...)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := mimcm.NewClient(srv.URL, mimcmOptions(logs, mimcm.WithBasicAuth(mimcmUser, secrets.Password+"-wrong"))...)
	if err != nil {
		t.Fatal(err)
	}
	return &proof.Vendor{
		Name: "mimcm", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(mimcmtest.Fault(f)) }, Logs: logs, Auth: []string{secrets.Password},
		BadInputs: mimcmBadInputs(c, wrong, secrets),
		Ops:       mimcmOps(t, srv, c, secrets),
	}
}

// mimcmNTLMVendor is the MIM CM client signed in with NTLM against the
// fake's Windows authentication, with every operation of mimcmVendor.
//
// NTLM authenticates a connection: the client's first request on a new
// connection goes as a NEGOTIATE leg, which the fake answers 401 with a
// challenge, and then as the AUTHENTICATE leg, which carries the call; a
// request the client sends plain on a connection the fake does not know
// as authenticated (one that was closed and redialled) is a leg answered
// 401 too. So one call shows as one to three requests at the fake, and
// the fake's counter cannot tell them apart: they have the same method and
// path. The matrix must count the requests that carry the operation, so
// this vendor's fake is counted through ntlmFake, which takes away the
// handshake legs the client wrote (ntlmSniffer, on the client's own
// connections). Two more things keep the counts exact:
//
//   - every prepare ends with a call that leaves the client's connection
//     authenticated (the calls are made one at a time, so the client keeps
//     one connection), so the fault the matrix injects next falls on the
//     operation's own request and not on a handshake leg (the fake applies
//     faults before it authenticates);
//   - the builder checks that the sniffer saw every request the fake
//     received.
func mimcmNTLMVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := mimcmtest.NewServer(mimcmtest.WithNTLM())
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	srv.AddUser(mimcmtest.User{Username: mimcmUser, Password: secrets.Password, ID: mimcmtest.UserUUID})
	logs := &proof.SyncBuffer{}
	sniffer := newNTLMSniffer()
	c, err := mimcm.NewClient(srv.URL, mimcmOptions(logs, mimcm.WithNTLM(mimcmUser, secrets.Password), mimcm.WithTransport(sniffer.transport()))...)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := mimcm.NewClient(srv.URL, mimcmOptions(logs, mimcm.WithNTLM(mimcmUser, secrets.Password+"-wrong"))...)
	if err != nil {
		t.Fatal(err)
	}
	warm := func(t *testing.T) {
		if _, err := c.ListProfileTemplates(context.Background()); err != nil {
			t.Fatalf("mimcm-ntlm: the call that authenticates the connection failed: %v", err)
		}
	}
	warm(t)
	if h := srv.Handshakes(); h != 1 {
		t.Fatalf("mimcm-ntlm: %d NTLM handshakes for the first call, want 1", h)
	}
	ops := mimcmOps(t, srv, c, secrets)
	sniffer.check()
	if got, want := sniffer.sent(), srv.TotalHits(); got != want {
		t.Fatalf("mimcm-ntlm: the client wrote %d requests and the fake received %d: the sniffer misses some, so the counts would be wrong", got, want)
	}
	for i := range ops {
		prepare := ops[i].Prepare
		ops[i].Prepare = func(t *testing.T) (string, func(context.Context, string) error) {
			suffix, call := prepare(t)
			warm(t)
			return suffix, call
		}
	}
	return &proof.Vendor{
		Name: "mimcm-ntlm", Srv: ntlmFake{Server: srv, sniffer: sniffer}, Inject: func(f fakeserver.Fault) { srv.Inject(mimcmtest.Fault(f)) },
		Logs: logs, Auth: []string{secrets.Password},
		BadInputs: mimcmBadInputs(c, wrong, secrets),
		Ops:       ops,
	}
}

// mimcmBadInputs are calls refused for their input (before anything is
// sent, or by the server for the credentials) whose errors must not repeat
// the secrets given to them.
func mimcmBadInputs(c, wrongPassword *mimcm.Client, secrets proof.SecretSet) []func(context.Context) error {
	return []func(context.Context) error{
		func(ctx context.Context) error { return proof.Ignore(wrongPassword.ListProfileTemplates(ctx)) },
		func(ctx context.Context) error {
			return proof.Ignore(c.SubmitCertificateRequests(ctx, mimcmtest.SampleEnrollID, mimcm.SubmitInput{CertificateRequests: [][]byte{nil}, PFXPassword: secrets.PKCS12}))
		},
		func(ctx context.Context) error {
			return proof.Ignore(c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware,
				Type: mimcm.RequestTypeNameRevoke, PFXPassword: secrets.PKCS12}))
		},
	}
}

// mimcmOps is every operation of mimcm.Client that sends requests (all but
// Close, which sends none, and Raw, whose answers are handed over
// unchecked by design), prepared against srv.
//
// Reads are the GETs (repeatable by method; Do is given a GET). Writes are
// the calls the client marks never to repeat: creates, the status changes
// (PUTs), certificate data and smart card assignment. The workflows are
// writes keyed on a call of theirs that is never repeated:
// EnrollSoftwareCertificate on its certificate data, ResumeEnrollment on
// its completion (the request exists before the call), and the workflows
// on a profile (RenewSoftwareCertificate, RevokeProfile, RetireProfile) on
// the creation of their request. Inventory, a walk of reads, is keyed on
// its first call, the user's certificates.
func mimcmOps(t *testing.T, srv *mimcmtest.Server, c *mimcm.Client, secrets proof.SecretSet) []proof.Operation {
	ctx := context.Background()
	fast := mimcm.WithPollInterval(time.Millisecond)
	// One key for the certificate requests the prepares submit: the fake's
	// CA issues for any key, and ECDSA costs nothing to sign with.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	newRequest := func(t *testing.T, typ mimcm.RequestTypeName, tmpl uuid.UUID) uuid.UUID {
		id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: typ, ProfileTemplateUUID: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// issued is an enroll request whose certificate was issued (the fake
	// holds it as Executing, with a new profile holding the certificate).
	issued := func(t *testing.T) uuid.UUID {
		id := newRequest(t, mimcm.RequestTypeNameEnroll, mimcmtest.TemplateSoftware)
		if _, err := c.SubmitCertificateRequests(ctx, id, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}, PFXPassword: secrets.PKCS12}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	profileOf := func(t *testing.T, id uuid.UUID) uuid.UUID {
		r, ok := srv.Request(id)
		if !ok || r.NewProfileUUID == nil {
			t.Fatalf("request %s has no new profile: %+v", id, r)
		}
		return *r.NewProfileUUID
	}
	// newProfile is an active software profile of TemplateSoftware, for the
	// workflows that renew, revoke or retire one.
	newProfile := func(t *testing.T) uuid.UUID {
		id := issued(t)
		if _, err := c.CompleteRequest(ctx, id); err != nil {
			t.Fatal(err)
		}
		return profileOf(t, id)
	}
	// newCard is a smart card assigned to a new smart card request.
	newCard := func(t *testing.T) (request, card uuid.UUID) {
		id := newRequest(t, mimcm.RequestTypeNameEnroll, mimcmtest.TemplateSmartcard)
		scid, err := c.AssignSmartcard(ctx, mimcm.AssignSmartcardInput{RequestID: id, CardID: uuid.NewString()})
		if err != nil || scid == nil {
			t.Fatalf("assign a smart card: %v, %v", scid, err)
		}
		return id, *scid
	}
	// State the reads look at, which they do not change.
	withProfile := issued(t)
	profile := profileOf(t, withProfile)
	sampleCard := mimcm.CardRef{RequestID: mimcmtest.SampleEnrollID, SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID}
	challenge, err := base64.StdEncoding.DecodeString("1hFD+cz/0so=")
	if err != nil {
		t.Fatal(err)
	}
	enrollIn := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, PFXPassword: secrets.PKCS12}

	get := func(suffix string, call func(ctx context.Context) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(*testing.T) (string, func(context.Context, string) error) {
			return mimcmAPI + suffix, func(ctx context.Context, _ string) error { return call(ctx) }
		}
	}
	onRequest := func(typ mimcm.RequestTypeName, tmpl uuid.UUID, call func(ctx context.Context, id uuid.UUID) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := newRequest(t, typ, tmpl)
			return mimcmAPI + "/requests/" + id.String(), func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onCard := func(call func(ctx context.Context, request, card uuid.UUID) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id, card := newCard(t)
			return mimcmAPI + "/requests/" + id.String() + "/smartcards/" + card.String(), func(ctx context.Context, _ string) error { return call(ctx, id, card) }
		}
	}
	// onProfile keys a workflow on a fresh profile on the creation of its
	// request (POST requests, which nothing else in the call sends).
	onProfile := func(call func(ctx context.Context, profile uuid.UUID) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			p := newProfile(t)
			return mimcmAPI + "/requests", func(ctx context.Context, _ string) error { return call(ctx, p) }
		}
	}
	return []proof.Operation{
		// Profile templates and their policies.
		{Name: "ListProfileTemplates", Method: "GET", Prepare: get("/profiletemplates", func(ctx context.Context) error {
			return proof.Ignore(c.ListProfileTemplates(ctx))
		})},
		{Name: "GetProfileTemplate", Method: "GET", Prepare: get("/profiletemplates/"+mimcmtest.TemplateSoftware.String(), func(ctx context.Context) error {
			return proof.Ignore(c.GetProfileTemplate(ctx, mimcmtest.TemplateSoftware))
		})},
		{Name: "GetWorkflowPolicy", Method: "GET", Prepare: get("/profiletemplates/"+mimcmtest.TemplateApproval.String()+"/policies/enroll", func(ctx context.Context) error {
			return proof.Ignore(c.GetWorkflowPolicy(ctx, mimcmtest.TemplateApproval, mimcm.RequestTypeNameEnroll))
		})},
		{Name: "GetSmartcardConfiguration", Method: "GET", Prepare: get("/profiletemplates/"+mimcmtest.TemplateSmartcard.String()+"/configuration/smartcards", func(ctx context.Context) error {
			return proof.Ignore(c.GetSmartcardConfiguration(ctx, mimcmtest.TemplateSmartcard))
		})},
		// Requests.
		{Name: "GetRequest", Method: "GET", Prepare: get("/requests/"+mimcmtest.SampleEnrollID.String(), func(ctx context.Context) error {
			return proof.Ignore(c.GetRequest(ctx, mimcmtest.SampleEnrollID))
		})},
		{Name: "ListRequests", Method: "GET", Prepare: get("/requests", func(ctx context.Context) error {
			return proof.Ignore(c.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true}))
		})},
		{Name: "GetCertificateRequestGenerationOptions", Method: "GET", Prepare: get("/requests/"+mimcmtest.SampleEnrollID.String()+"/certificaterequestgenerationoptions", func(ctx context.Context) error {
			return proof.Ignore(c.GetCertificateRequestGenerationOptions(ctx, mimcmtest.SampleEnrollID))
		})},
		{Name: "ListRequestProfiles", Method: "GET", Prepare: get("/requests/"+withProfile.String()+"/profiles", func(ctx context.Context) error {
			return proof.Ignore(c.ListRequestProfiles(ctx, withProfile))
		})},
		// Profiles.
		{Name: "ListProfiles", Method: "GET", Prepare: get("/profiles", func(ctx context.Context) error {
			return proof.Ignore(c.ListProfiles(ctx, mimcm.ProfileFilter{}))
		})},
		{Name: "GetProfile", Method: "GET", Prepare: get("/profiles/"+mimcmtest.SampleProfileID.String(), func(ctx context.Context) error {
			return proof.Ignore(c.GetProfile(ctx, mimcmtest.SampleProfileID))
		})},
		{Name: "ListProfileOperations", Method: "GET", Prepare: get("/profiles/"+mimcmtest.SampleProfileID.String()+"/operations", func(ctx context.Context) error {
			return proof.Ignore(c.ListProfileOperations(ctx, mimcmtest.SampleProfileID))
		})},
		{Name: "ListProfileCertificates", Method: "GET", Prepare: get("/profiles/"+profile.String()+"/certificates", func(ctx context.Context) error {
			return proof.Ignore(c.ListProfileCertificates(ctx, profile))
		})},
		// Smart cards.
		{Name: "ListSmartcards", Method: "GET", Prepare: get("/smartcards", func(ctx context.Context) error {
			return proof.Ignore(c.ListSmartcards(ctx, mimcm.SmartcardFilter{CardID: mimcmtest.SampleCardID}))
		})},
		{Name: "GetSmartcard", Method: "GET", Prepare: get("/smartcards/"+mimcmtest.SampleSmartcardID.String(), func(ctx context.Context) error {
			return proof.Ignore(c.GetSmartcard(ctx, mimcmtest.SampleSmartcardID))
		})},
		{Name: "ListSmartcardOperations", Method: "GET", Prepare: get("/smartcards/"+mimcmtest.SampleCardIDCard.String()+"/operations", func(ctx context.Context) error {
			return proof.Ignore(c.ListSmartcardOperations(ctx, mimcmtest.SampleCardIDCard))
		})},
		{Name: "ListSmartcardCertificates", Method: "GET", Prepare: get("/smartcards/"+mimcmtest.SampleCertificatesCard.String()+"/certificates", func(ctx context.Context) error {
			return proof.Ignore(c.ListSmartcardCertificates(ctx, mimcmtest.SampleCertificatesCard))
		})},
		{Name: "GetSmartcardDiversifiedKey", Method: "GET", Prepare: get("/requests/"+mimcmtest.SampleEnrollID.String()+"/smartcards/"+mimcmtest.SampleSmartcardID.String()+"/diversifiedkey", func(ctx context.Context) error {
			return proof.Ignore(c.GetSmartcardDiversifiedKey(ctx, sampleCard))
		})},
		{Name: "GetSmartcardAuthenticationResponse", Method: "GET", Prepare: get("/requests/"+mimcmtest.SampleEnrollID.String()+"/smartcards/"+mimcmtest.SampleSmartcardID.String()+"/authenticationresponse", func(ctx context.Context) error {
			return proof.Ignore(c.GetSmartcardAuthenticationResponse(ctx, mimcm.AuthenticationInput{Card: sampleCard, Challenge: challenge}))
		})},
		{Name: "GetSmartcardProposedPIN", Method: "GET", Prepare: get("/smartcards/"+mimcmtest.SampleSmartcardID.String()+"/serverproposedpin", func(ctx context.Context) error {
			return proof.Ignore(c.GetSmartcardProposedPIN(ctx, mimcm.ProposedPINInput{SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID}))
		})},
		// The user's certificates, and the walk over profiles and cards.
		{Name: "ListUserCertificates", Method: "GET", Prepare: get("/certificates", func(ctx context.Context) error {
			return proof.Ignore(c.ListUserCertificates(ctx))
		})},
		{Name: "Inventory", Method: "GET", Prepare: get("/certificates", func(ctx context.Context) error {
			n := 0
			for _, err := range c.Inventory(ctx) {
				if err != nil {
					return err
				}
				n++
			}
			if n == 0 {
				return errors.New("the inventory found no certificate")
			}
			return nil
		})},
		{Name: "CertificateInventory", Method: "GET", Prepare: get("/certificates", func(ctx context.Context) error {
			n := 0
			for _, err := range c.CertificateInventory(ctx) {
				if err != nil {
					return err
				}
				n++
			}
			if n == 0 {
				return errors.New("the inventory found no certificate")
			}
			return nil
		})},
		// The escape hatch, with a request of the generated package.
		{Name: "Do", Method: "GET", Prepare: get("/requests/"+mimcmtest.SampleUnblockID.String(), func(ctx context.Context) error {
			req, err := mimcmapi.NewGetRequestRequest(c.Raw().Server, mimcmtest.SampleUnblockID)
			if err != nil {
				return err
			}
			var r mimcm.Request
			return c.Do(ctx, req, &r)
		})},

		// Writes.
		{Name: "CreateRequest", Method: "POST", Prepare: get("/requests", func(ctx context.Context) error {
			return proof.Ignore(c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware,
				DataCollection: []mimcm.DataValue{{Name: "Request Reason", Value: "proof"}}, Comment: "proof"}))
		})},
		{Name: "CancelRequest", Method: "PUT", Prepare: onRequest(mimcm.RequestTypeNameEnroll, mimcmtest.TemplateApproval, func(ctx context.Context, id uuid.UUID) error {
			return proof.Ignore(c.CancelRequest(ctx, id))
		})},
		{Name: "AbandonRequest", Method: "PUT", Prepare: onRequest(mimcm.RequestTypeNameEnroll, mimcmtest.TemplateSoftware, func(ctx context.Context, id uuid.UUID) error {
			return proof.Ignore(c.AbandonRequest(ctx, id))
		})},
		{Name: "CompleteRequest", Method: "PUT", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
			id := issued(t)
			return mimcmAPI + "/requests/" + id.String(), func(ctx context.Context, _ string) error { return proof.Ignore(c.CompleteRequest(ctx, id)) }
		}},
		{Name: "SubmitCertificateRequests", Method: "POST", Carries: []string{secrets.PKCS12}, Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
			id := newRequest(t, mimcm.RequestTypeNameEnroll, mimcmtest.TemplateSoftware)
			return mimcmAPI + "/requests/" + id.String() + "/certificatedata", func(ctx context.Context, _ string) error {
				return proof.Ignore(c.SubmitCertificateRequests(ctx, id, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}, PFXPassword: secrets.PKCS12, Comments: "proof"}))
			}
		}},
		{Name: "AssignSmartcard", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
			id := newRequest(t, mimcm.RequestTypeNameEnroll, mimcmtest.TemplateSmartcard)
			card := uuid.NewString()
			return mimcmAPI + "/smartcards", func(ctx context.Context, _ string) error {
				return proof.Ignore(c.AssignSmartcard(ctx, mimcm.AssignSmartcardInput{RequestID: id, CardID: card, ATR: "3b8d0180"}))
			}
		}},
		{Name: "RetireSmartcard", Method: "PUT", Prepare: onCard(func(ctx context.Context, request, card uuid.UUID) error {
			return proof.Ignore(c.RetireSmartcard(ctx, request, card))
		})},
		{Name: "SetSmartcardStatus", Method: "PUT", Prepare: onCard(func(ctx context.Context, request, card uuid.UUID) error {
			return proof.Ignore(c.SetSmartcardStatus(ctx, request, card, "Retired"))
		})},
		// The workflows.
		{Name: "EnrollSoftwareCertificate", Method: "POST", Carries: []string{secrets.PKCS12}, Prepare: func(*testing.T) (string, func(context.Context, string) error) {
			// The request's GUID is made in the call: every certificate
			// data call ends in this suffix, and the call sends one.
			return "/certificatedata", func(ctx context.Context, _ string) error {
				return proof.Ignore(c.EnrollSoftwareCertificate(ctx, enrollIn, fast))
			}
		}},
		{Name: "ResumeEnrollment", Method: "PUT", Carries: []string{secrets.PKCS12}, Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
			// A request that waited for approval and got it.
			id := newRequest(t, mimcm.RequestTypeNameEnroll, mimcmtest.TemplateApproval)
			if err := srv.ApproveRequest(id); err != nil {
				t.Fatal(err)
			}
			return mimcmAPI + "/requests/" + id.String(), func(ctx context.Context, _ string) error {
				return proof.Ignore(c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: id, PFXPassword: secrets.PKCS12}, fast))
			}
		}},
		{Name: "RenewSoftwareCertificate", Method: "POST", Carries: []string{secrets.PKCS12}, Prepare: onProfile(func(ctx context.Context, p uuid.UUID) error {
			return proof.Ignore(c.RenewSoftwareCertificate(ctx, p, mimcm.EnrollInput{PFXPassword: secrets.PKCS12}, fast))
		})},
		{Name: "RevokeProfile", Method: "POST", Prepare: onProfile(func(ctx context.Context, p uuid.UUID) error {
			return proof.Ignore(c.RevokeProfile(ctx, p, mimcm.ProfileRequestInput{Comment: "proof"}, fast))
		})},
		{Name: "RetireProfile", Method: "POST", Prepare: onProfile(func(ctx context.Context, p uuid.UUID) error {
			return proof.Ignore(c.RetireProfile(ctx, p, mimcm.ProfileRequestInput{Comment: "proof"}, fast))
		})},
	}
}

// ntlmFake is the NTLM vendor's fake as the matrix counts it: the
// requests the fake received less the handshake legs the client wrote,
// that is, the requests that carried an operation (see mimcmNTLMVendor).
type ntlmFake struct {
	*mimcmtest.Server
	sniffer *ntlmSniffer
}

func (f ntlmFake) HitsMatching(method, suffix string) int {
	f.sniffer.check()
	return f.Server.HitsMatching(method, suffix) - f.sniffer.legsMatching(method, suffix)
}

func (f ntlmFake) TotalHits() int {
	f.sniffer.check()
	return f.Server.TotalHits() - f.sniffer.legsMatching("", "")
}

// ntlmSniffer reads the requests an NTLM client writes on its connections
// (it dials them, through the *http.Transport given to WithTransport,
// which the NTLM client clones for its own) and tells the handshake legs
// from the requests that carry a call, as the fake authenticates them: a
// NEGOTIATE message is a leg; an AUTHENTICATE message carries the call
// and authenticates its connection; a request without credentials carries
// the call on an authenticated connection and is a leg (answered 401) on
// any other. Requests are read as they are written, before they leave, so
// the counts are complete when a call returns.
type ntlmSniffer struct {
	mu sync.Mutex
	// all and legs count the requests written, by "METHOD path".
	all, legs map[string]int
	// problem is a request the sniffer could not read, "" when none.
	problem string
}

// check stops the test when the sniffer could not read a request: its
// counts would be wrong.
func (s *ntlmSniffer) check() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.problem != "" {
		panic(fmt.Sprintf("mimcm-ntlm: a request the client wrote could not be read (%s), so the hits cannot be counted", s.problem))
	}
}

func newNTLMSniffer() *ntlmSniffer {
	return &ntlmSniffer{all: map[string]int{}, legs: map[string]int{}}
}

// transport is the template of the NTLM client's connections, as the
// client's default one but dialling through the sniffer.
func (s *ntlmSniffer) transport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &sniffedConn{Conn: conn, sniffer: s}, nil
		},
		IdleConnTimeout:    90 * time.Second,
		DisableCompression: true,
	}
}

func (s *ntlmSniffer) record(method, path string, leg bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := method + " " + path
	s.all[key]++
	if leg {
		s.legs[key]++
	}
}

// sent counts every request written.
func (s *ntlmSniffer) sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.all {
		n += v
	}
	return n
}

// legsMatching counts the handshake legs as the fake counts hits: by
// method ("" for any) and path suffix.
func (s *ntlmSniffer) legsMatching(method, suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.legs {
		m, p, _ := strings.Cut(k, " ")
		if (method == "" || m == method) && strings.HasSuffix(p, suffix) {
			n += v
		}
	}
	return n
}

// sniffedConn parses the HTTP/1.1 requests written on one connection.
type sniffedConn struct {
	net.Conn
	sniffer *ntlmSniffer

	mu    sync.Mutex
	buf   []byte
	state sniffState
	// left is what remains of the body or of the current chunk.
	left int64
	// authed: an AUTHENTICATE message went over this connection after its
	// last NEGOTIATE.
	authed bool
	// bad is a request the sniffer could not read; it stops reading.
	bad bool
}

type sniffState int

const (
	sniffHead sniffState = iota
	sniffBody
	sniffChunkSize
	sniffChunkData
	sniffChunkEnd
	sniffTrailer
)

func (c *sniffedConn) Write(p []byte) (int, error) {
	c.observe(p)
	return c.Conn.Write(p)
}

func (c *sniffedConn) observe(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bad {
		return
	}
	c.buf = append(c.buf, p...)
	for {
		switch c.state {
		case sniffHead:
			i := bytes.Index(c.buf, []byte("\r\n\r\n"))
			if i < 0 {
				return
			}
			c.request(string(c.buf[:i]))
			c.buf = c.buf[i+4:]
		case sniffBody, sniffChunkData:
			n := min(int64(len(c.buf)), c.left)
			c.buf, c.left = c.buf[n:], c.left-n
			if c.left > 0 {
				return
			}
			if c.state == sniffBody {
				c.state = sniffHead
			} else {
				c.state = sniffChunkEnd
			}
		case sniffChunkEnd:
			if len(c.buf) < 2 {
				return
			}
			c.buf, c.state = c.buf[2:], sniffChunkSize
		case sniffChunkSize, sniffTrailer:
			i := bytes.Index(c.buf, []byte("\r\n"))
			if i < 0 {
				return
			}
			line := string(c.buf[:i])
			c.buf = c.buf[i+2:]
			if c.state == sniffTrailer {
				if line == "" {
					c.state = sniffHead
				}
				continue
			}
			size, _, _ := strings.Cut(line, ";")
			n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
			switch {
			case err != nil:
				c.fail("chunk size " + line)
				return
			case n == 0:
				c.state = sniffTrailer
			default:
				c.state, c.left = sniffChunkData, n
			}
		}
	}
}

// request notes one request head and how its body is framed.
func (c *sniffedConn) request(head string) {
	lines := strings.Split(head, "\r\n")
	method, rest, _ := strings.Cut(lines[0], " ")
	target, _, _ := strings.Cut(rest, " ")
	u, err := url.ParseRequestURI(target)
	if err != nil {
		c.fail("request line " + lines[0])
		return
	}
	var authorization string
	var length int64
	chunked := false
	for _, l := range lines[1:] {
		name, value, _ := strings.Cut(l, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "authorization":
			authorization = value
		case "content-length":
			if length, err = strconv.ParseInt(value, 10, 64); err != nil {
				c.fail("Content-Length " + value)
				return
			}
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		}
	}
	leg := false
	scheme, token, _ := strings.Cut(authorization, " ")
	switch {
	case authorization == "":
		leg = !c.authed
	case strings.EqualFold(scheme, "NTLM") || strings.EqualFold(scheme, "Negotiate"):
		switch ntlmMessageType(token) {
		case 1:
			leg, c.authed = true, false
		case 3:
			c.authed = true
		}
	}
	c.sniffer.record(method, u.Path, leg)
	switch {
	case chunked:
		c.state = sniffChunkSize
	case length > 0:
		c.state, c.left = sniffBody, length
	default:
		c.state = sniffHead
	}
}

// fail stops reading the connection and notes why (see check).
func (c *sniffedConn) fail(what string) {
	c.bad = true
	c.sniffer.mu.Lock()
	c.sniffer.problem = what
	c.sniffer.mu.Unlock()
}

// ntlmMessageType is the type of the NTLM message a token holds (1
// NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE), 0 when it holds none.
func ntlmMessageType(token string) uint32 {
	msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(msg) < 12 || !bytes.HasPrefix(msg, []byte("NTLMSSP\x00")) {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[8:12])
}

func concMIMCM(t *testing.T) *proof.ConcVendor {
	srv := proof.ConcMust(mimcmtest.NewServer()).In(t)
	proof.CloseFake(t, srv)
	newClient := func() *mimcm.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	setup := newClient()
	enrollID, unblockID := mimcmtest.SampleEnrollID, mimcmtest.SampleUnblockID
	enroll := proof.ConcMust(setup.GetRequest(ctx, enrollID)).In(t)
	unblock := proof.ConcMust(setup.GetRequest(ctx, unblockID)).In(t)
	if enroll.UUID != enrollID || enroll.Type != mimcm.RequestTypeEnroll || unblock.UUID != unblockID || unblock.Type != mimcm.RequestTypeUnblock {
		t.Fatalf("seeded requests = %+v, %+v", enroll, unblock)
	}
	seeded := proof.ConcMust(setup.ListRequests(ctx, mimcm.RequestFilter{})).In(t)
	if len(seeded) != 2 || seeded[0].UUID != enrollID || seeded[1].UUID != unblockID {
		t.Fatalf("seeded list = %+v", seeded)
	}
	if mine := proof.ConcMust(setup.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true})).In(t); len(mine) != 2 {
		t.Fatalf("requests of the current user = %+v", mine)
	}

	// A request whose certificate was issued, for the calls on a request's
	// profiles and on a profile's certificates.
	key, _ := proof.ConcCertificate(t, "conc profile")
	csr := proof.ConcMust(x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)).In(t)
	issued := proof.ConcMust(setup.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware})).In(t)
	proof.ConcMust(setup.SubmitCertificateRequests(ctx, issued, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}})).In(t)
	reqProfiles := proof.ConcMust(setup.ListRequestProfiles(ctx, issued)).In(t)
	if len(reqProfiles) != 1 {
		t.Fatalf("profiles of the issued request = %+v", reqProfiles)
	}
	profileID := reqProfiles[0].UUID

	// Baselines, read one at a time by another client before the run.
	// The requests the run creates are for another user and approved at
	// once, so the current user's requests and the pending ones stay as
	// they are; the unfiltered list grows, and verify reads it afterwards.
	all := proof.ConcMust(setup.ListRequests(ctx, mimcm.RequestFilter{})).In(t)
	mine := proof.ConcMust(setup.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true})).In(t)
	if len(all) != 3 || len(mine) != 3 {
		t.Fatalf("%d requests, %d of the current user, want 3 and 3", len(all), len(mine))
	}
	pendingFilter := mimcm.RequestFilter{Status: mimcm.StatusPending}
	pending := proof.ConcMust(setup.ListRequests(ctx, pendingFilter)).In(t)
	templates := proof.ConcMust(setup.ListProfileTemplates(ctx)).In(t)
	template := proof.ConcMust(setup.GetProfileTemplate(ctx, mimcmtest.TemplateSoftware)).In(t)
	policy := proof.ConcMust(setup.GetWorkflowPolicy(ctx, mimcmtest.TemplateApproval, mimcm.RequestTypeNameEnroll)).In(t)
	cardConfig := proof.ConcMust(setup.GetSmartcardConfiguration(ctx, mimcmtest.TemplateSmartcard)).In(t)
	genOptions := proof.ConcMust(setup.GetCertificateRequestGenerationOptions(ctx, enrollID)).In(t)
	profiles := proof.ConcMust(setup.ListProfiles(ctx, mimcm.ProfileFilter{})).In(t)
	profile := proof.ConcMust(setup.GetProfile(ctx, mimcmtest.SampleProfileID)).In(t)
	profileOps := proof.ConcMust(setup.ListProfileOperations(ctx, mimcmtest.SampleProfileID)).In(t)
	profileCerts := proof.ConcMust(setup.ListProfileCertificates(ctx, profileID)).In(t)
	cardFilter := mimcm.SmartcardFilter{CardID: mimcmtest.SampleCardID}
	cards := proof.ConcMust(setup.ListSmartcards(ctx, cardFilter)).In(t)
	card := proof.ConcMust(setup.GetSmartcard(ctx, mimcmtest.SampleSmartcardID)).In(t)
	cardOps := proof.ConcMust(setup.ListSmartcardOperations(ctx, mimcmtest.SampleCardIDCard)).In(t)
	cardCerts := proof.ConcMust(setup.ListSmartcardCertificates(ctx, mimcmtest.SampleCertificatesCard)).In(t)
	ref := mimcm.CardRef{RequestID: enrollID, SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID}
	diversified := proof.ConcMust(setup.GetSmartcardDiversifiedKey(ctx, ref)).In(t)
	auth := mimcm.AuthenticationInput{Card: ref, Challenge: []byte("conc-challenge")}
	authResponse := proof.ConcMust(setup.GetSmartcardAuthenticationResponse(ctx, auth)).In(t)
	pinInput := mimcm.ProposedPINInput{SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID}
	pin := proof.ConcMust(setup.GetSmartcardProposedPIN(ctx, pinInput)).In(t)
	userCerts := proof.ConcMust(setup.ListUserCertificates(ctx)).In(t)
	if len(templates) != 5 || len(genOptions) != 1 || len(profiles) != 4 || len(profileOps) == 0 || len(profileCerts) != 1 ||
		len(cards) != 1 || len(cardOps) == 0 || len(cardCerts) != 4 || len(diversified) == 0 || len(authResponse) == 0 || pin == "" || len(userCerts) != 17 {
		t.Fatalf("baselines: %d templates, %d generation options, %d profiles, %d profile operations, %d profile certificates, %d cards, "+
			"%d card operations, %d card certificates, %d-byte key, %d-byte response, PIN %t, %d user certificates",
			len(templates), len(genOptions), len(profiles), len(profileOps), len(profileCerts), len(cards), len(cardOps), len(cardCerts),
			len(diversified), len(authResponse), pin != "", len(userCerts))
	}
	storedBefore := len(srv.Requests())

	c := newClient()
	// same makes a call that must return want each time.
	same := func(what string, want any, call func(ctx context.Context) (any, error)) func(context.Context, int) error {
		return func(ctx context.Context, _ int) error {
			got, err := call(ctx)
			if err != nil {
				return err
			}
			return proof.ConcSame(what, got, want)
		}
	}
	other := uuid.MustParse("3d1f7e52-8b6a-4c09-9e4d-5a2b7c8d9e10")
	var mu sync.Mutex
	created := map[uuid.UUID]string{} // GUID → the comment its call gave
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(mimcmtest.Fault(f)) },
		Calls: []proof.ConcCall{
			{Name: "GetRequest enroll", Weight: 7, Do: same("request", enroll, func(ctx context.Context) (any, error) { return c.GetRequest(ctx, enrollID) })},
			{Name: "GetRequest unblock", Weight: 7, Do: same("request", unblock, func(ctx context.Context) (any, error) { return c.GetRequest(ctx, unblockID) })},
			{Name: "ListRequests current user", Weight: 7, Do: same("requests", mine, func(ctx context.Context) (any, error) {
				return c.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true})
			})},
			{Name: "ListRequests pending", Weight: 4, Do: same("requests", pending, func(ctx context.Context) (any, error) { return c.ListRequests(ctx, pendingFilter) })},
			{Name: "ListProfileTemplates", Weight: 6, Do: same("templates", templates, func(ctx context.Context) (any, error) { return c.ListProfileTemplates(ctx) })},
			{Name: "GetProfileTemplate", Weight: 4, Do: same("template", template, func(ctx context.Context) (any, error) {
				return c.GetProfileTemplate(ctx, mimcmtest.TemplateSoftware)
			})},
			{Name: "GetWorkflowPolicy", Weight: 4, Do: same("policy", policy, func(ctx context.Context) (any, error) {
				return c.GetWorkflowPolicy(ctx, mimcmtest.TemplateApproval, mimcm.RequestTypeNameEnroll)
			})},
			{Name: "GetSmartcardConfiguration", Weight: 4, Do: same("smart card configuration", cardConfig, func(ctx context.Context) (any, error) {
				return c.GetSmartcardConfiguration(ctx, mimcmtest.TemplateSmartcard)
			})},
			{Name: "GetCertificateRequestGenerationOptions", Weight: 4, Do: same("generation options", genOptions, func(ctx context.Context) (any, error) {
				return c.GetCertificateRequestGenerationOptions(ctx, enrollID)
			})},
			{Name: "ListRequestProfiles", Weight: 4, Do: same("request profiles", reqProfiles, func(ctx context.Context) (any, error) { return c.ListRequestProfiles(ctx, issued) })},
			{Name: "ListProfiles", Weight: 4, Do: same("profiles", profiles, func(ctx context.Context) (any, error) { return c.ListProfiles(ctx, mimcm.ProfileFilter{}) })},
			{Name: "GetProfile", Weight: 4, Do: same("profile", profile, func(ctx context.Context) (any, error) { return c.GetProfile(ctx, mimcmtest.SampleProfileID) })},
			{Name: "ListProfileOperations", Weight: 4, Do: same("profile operations", profileOps, func(ctx context.Context) (any, error) {
				return c.ListProfileOperations(ctx, mimcmtest.SampleProfileID)
			})},
			{Name: "ListProfileCertificates", Weight: 4, Do: same("profile certificates", profileCerts, func(ctx context.Context) (any, error) {
				return c.ListProfileCertificates(ctx, profileID)
			})},
			{Name: "ListSmartcards", Weight: 4, Do: same("smart cards", cards, func(ctx context.Context) (any, error) { return c.ListSmartcards(ctx, cardFilter) })},
			{Name: "GetSmartcard", Weight: 4, Do: same("smart card", card, func(ctx context.Context) (any, error) { return c.GetSmartcard(ctx, mimcmtest.SampleSmartcardID) })},
			{Name: "ListSmartcardOperations", Weight: 4, Do: same("smart card operations", cardOps, func(ctx context.Context) (any, error) {
				return c.ListSmartcardOperations(ctx, mimcmtest.SampleCardIDCard)
			})},
			{Name: "ListSmartcardCertificates", Weight: 4, Do: same("smart card certificates", cardCerts, func(ctx context.Context) (any, error) {
				return c.ListSmartcardCertificates(ctx, mimcmtest.SampleCertificatesCard)
			})},
			{Name: "GetSmartcardDiversifiedKey", Weight: 3, Do: same("diversified key", diversified, func(ctx context.Context) (any, error) {
				return c.GetSmartcardDiversifiedKey(ctx, ref)
			})},
			{Name: "GetSmartcardAuthenticationResponse", Weight: 3, Do: same("authentication response", authResponse, func(ctx context.Context) (any, error) {
				return c.GetSmartcardAuthenticationResponse(ctx, auth)
			})},
			{Name: "GetSmartcardProposedPIN", Weight: 3, Do: same("proposed PIN", pin, func(ctx context.Context) (any, error) { return c.GetSmartcardProposedPIN(ctx, pinInput) })},
			{Name: "ListUserCertificates", Weight: 3, Do: same("user certificates", userCerts, func(ctx context.Context) (any, error) { return c.ListUserCertificates(ctx) })},
			{Name: "CreateRequest", Weight: 5, Do: func(ctx context.Context, n int) error {
				comment := fmt.Sprintf("conc%05d", n)
				id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware,
					Target: &other, Comment: comment})
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				if prev, dup := created[id]; dup {
					return fmt.Errorf("create %s returned the GUID %s of create %s", comment, id, prev)
				}
				created[id] = comment
				return nil
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			// Every create is stored exactly once, as its call sent it, after
			// the requests there were before.
			n := made["CreateRequest"]
			stored := srv.Requests()
			if len(created) != n || len(stored) != storedBefore+n {
				t.Errorf("%d creates returned %d distinct GUIDs; the fake holds %d requests, want %d", n, len(created), len(stored), storedBefore+n)
			}
			comments := map[string]int{}
			for _, id := range stored[min(storedBefore, len(stored)):] {
				r, ok := srv.Request(id)
				want, returned := created[id]
				if !ok || !returned || r.Comment != want || r.TargetUserUUID == nil || *r.TargetUserUUID != other || r.Type != mimcm.RequestTypeEnroll {
					t.Errorf("stored request %s (returned by a create: %t, as %q) is %+v", id, returned, want, r)
				}
				comments[r.Comment]++
			}
			for comment, k := range comments {
				if k != 1 {
					t.Errorf("the create with comment %q is stored %d times", comment, k)
				}
			}
			// The client reads them back after the requests it read before.
			list := proof.ConcMust(c.ListRequests(t.Context(), mimcm.RequestFilter{})).In(t)
			if len(list) != len(stored) || !reflect.DeepEqual(list[:min(len(all), len(list))], all) {
				t.Errorf("ListRequests after the run: %d requests, want %d beginning with the %d read before", len(list), len(stored), len(all))
			}
		},
	}
}
