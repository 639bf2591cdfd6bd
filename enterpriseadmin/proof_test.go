package enterpriseadmin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestProof registers ArcGIS Enterprise administration with the proof
// suite (internal/proof): the fault matrix over every operation below, the
// secrets proof, the concurrency mix and the check that every *Client
// method has a row.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*enterpriseadmin.Client](), Matrix: []proof.Builder{enterpriseVendor}, Concurrency: concEnterprise, Root: ".",
		NotInMatrix: map[string]string{
			"Raw":        "returns the generated client; sends nothing",
			"WebContext": "returns the client's setting; sends nothing",
			"RotateIdentityCertificate": "a workflow of rows below (ListIdentityCertificates, ImportIdentityCertificate, GetIngressSecurity, " +
				"UpdateIngressSecurity, GetSAMLSecurity, DeleteIdentityCertificate); its failures at each stage and the reruns are in rotate_test.go",
		},
	})
}

func enterpriseVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	srv.AddUser("proofadmin", secrets.Password)
	logs := &proof.SyncBuffer{}
	options := func(password string) []enterpriseadmin.Option {
		return []enterpriseadmin.Option{enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy(proof.Retry)), enterpriseadmin.WithTimeout(proof.Timeout),
			enterpriseadmin.WithLogger(proof.Logger(logs)), enterpriseadmin.WithCredentials("proofadmin", password)}
	}
	c, err := enterpriseadmin.NewClient(srv.URL, options(secrets.Password)...)
	if err != nil {
		t.Fatal(err)
	}
	const seed = enterpriseadmintest.SeedCertificateID
	fixed := func(suffix string, call func(ctx context.Context) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(*testing.T) (string, func(context.Context, string) error) {
			return suffix, func(ctx context.Context, _ string) error { return call(ctx) }
		}
	}
	// idOf finds the id the server gave the certificate imported as name.
	idOf := func(t *testing.T, name string, list func(context.Context, ...enterpriseadmin.CallOption) ([]enterpriseadmin.Certificate, error)) string {
		certs, err := list(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, cert := range certs {
			if cert.Name == name {
				return cert.ID
			}
		}
		t.Fatalf("imported certificate %s not listed", name)
		return ""
	}
	importIdentity := func(t *testing.T) string {
		name := proof.Next("ident")
		crt, err := c.ImportIdentityCertificate(context.Background(), enterpriseadmin.ImportIdentityCertificateInput{Name: name, PFX: proof.NewPFX(t, name, secrets.PKCS12), Password: secrets.PKCS12})
		if err != nil {
			t.Fatal(err)
		}
		return crt.ID
	}
	importTrust := func(t *testing.T) string {
		name := proof.Next("trust")
		if err := c.ImportTrustCertificate(context.Background(), enterpriseadmin.ImportTrustCertificateInput{Name: name, Certificate: proof.SelfSignedDER(t, name)}); err != nil {
			t.Fatal(err)
		}
		return idOf(t, name, c.ListTrustCertificates)
	}
	wrongUser, err := enterpriseadmin.NewClient(srv.URL, options(secrets.Password+"-wrong")...)
	if err != nil {
		t.Fatal(err)
	}
	return &proof.Vendor{
		Name: "enterpriseadmin", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(enterpriseadmintest.Fault(f)) }, Logs: logs, Auth: []string{secrets.Password},
		IssuedSecrets: srv.IssuedTokens,
		BadInputs: []func(context.Context) error{
			func(ctx context.Context) error { return proof.Ignore(wrongUser.ListIdentityCertificates(ctx)) },
			func(ctx context.Context) error {
				return proof.Ignore(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", PFX: proof.NewPFX(t, "x", secrets.PKCS12+"-other"), Password: secrets.PKCS12}))
			},
		},
		ErrorIn200: `{"error":{"code":500,"message":"Unable to complete the operation.","details":["the server failed"]}}`,
		Ops: []proof.Operation{
			{Name: "GetCertificatesResource", Method: "GET", Prepare: fixed("/security/certificates", func(ctx context.Context) error {
				return proof.Ignore(c.GetCertificatesResource(ctx))
			})},
			{Name: "ListIdentityCertificates", Method: "GET", Prepare: fixed("/certificates/identity", func(ctx context.Context) error {
				return proof.Ignore(c.ListIdentityCertificates(ctx))
			})},
			// Faults hit the first of its two requests, the identity store.
			{Name: "CertificateInventory", Method: "GET", Prepare: fixed("/certificates/identity", func(ctx context.Context) error {
				for _, err := range c.CertificateInventory(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "GetIdentityCertificate", Method: "GET", Prepare: fixed("/identity/"+seed, func(ctx context.Context) error {
				return proof.Ignore(c.GetIdentityCertificate(ctx, seed))
			})},
			{Name: "ListTrustCertificates", Method: "GET", Prepare: fixed("/certificates/trust", func(ctx context.Context) error {
				return proof.Ignore(c.ListTrustCertificates(ctx))
			})},
			{Name: "GetTrustCertificate", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importTrust(t)
				return "/trust/" + id, func(ctx context.Context, _ string) error { return proof.Ignore(c.GetTrustCertificate(ctx, id)) }
			}},
			{Name: "ImportIdentityCertificate", Method: "POST", Carries: []string{secrets.PKCS12}, Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				name := proof.Next("ident")
				pfx := proof.NewPFX(t, name, secrets.PKCS12)
				return "/identity/import", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: name, PFX: pfx, Password: secrets.PKCS12}))
				}
			}},
			{Name: "DeleteIdentityCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importIdentity(t)
				return "/identity/" + id + "/delete", func(ctx context.Context, _ string) error { return c.DeleteIdentityCertificate(ctx, id) }
			}},
			{Name: "ImportTrustCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				name := proof.Next("trust")
				der := proof.SelfSignedDER(t, name)
				return "/trust/import", func(ctx context.Context, _ string) error {
					return c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: name, Certificate: der})
				}
			}},
			{Name: "DeleteTrustCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importTrust(t)
				return "/trust/" + id + "/delete", func(ctx context.Context, _ string) error { return c.DeleteTrustCertificate(ctx, id) }
			}},
			{Name: "GetIngressSecurity", Method: "GET", Prepare: fixed("/security/ingress", func(ctx context.Context) error {
				return proof.Ignore(c.GetIngressSecurity(ctx))
			})},
			{Name: "GetSAMLSecurity", Method: "GET", Prepare: fixed("/security/saml", func(ctx context.Context) error {
				return proof.Ignore(c.GetSAMLSecurity(ctx))
			})},
			{Name: "UpdateIngressSecurity", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				// A member of its own each time, so that every call changes
				// the configuration and sends the update.
				mark := map[string]json.RawMessage{"proofMark": json.RawMessage(strconv.Quote(proof.Next("mark")))}
				return "/ingress/update", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.UpdateIngressSecurity(ctx, enterpriseadmin.UpdateIngressSecurityInput{Other: mark}))
				}
			}},
			{Name: "GenerateToken", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				srv.ExpireTokens()
				return "/generateToken", func(ctx context.Context, _ string) error { return proof.Ignore(c.ListIdentityCertificates(ctx)) }
			}},
		},
	}
}

func concEnterprise(t *testing.T) *proof.ConcVendor {
	srv := proof.ConcMust(enterpriseadmintest.NewServer()).In(t)
	proof.CloseFake(t, srv)
	newClient := func() *enterpriseadmin.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	setup := newClient()
	resources := proof.ConcMust(setup.GetCertificatesResource(ctx)).In(t)
	identities := proof.ConcMust(setup.ListIdentityCertificates(ctx)).In(t)
	seed := proof.ConcMust(setup.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID)).In(t)
	if len(identities) != 1 || seed.ID != enterpriseadmintest.SeedCertificateID || seed.Name != "samlcert" || !reflect.DeepEqual(identities[0], *seed) {
		t.Fatalf("seeded identity certificates = %+v, seed %+v", identities, seed)
	}
	if len(proof.ConcMust(setup.ListTrustCertificates(ctx)).In(t)) != 0 {
		t.Fatal("the fake starts with trust certificates")
	}
	tokensBefore := srv.TokenRequests()
	_, cert := proof.ConcCertificate(t, "conc trust")

	c := newClient()
	var mu sync.Mutex
	var imported []string
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(enterpriseadmintest.Fault(f)) },
		// The goroutines' first calls all need a token at once; they
		// share one generateToken request, sent on the client's own
		// connections.
		ExtraRequests: 1,
		Calls: []proof.ConcCall{
			{Name: "GetCertificatesResource", Weight: 25, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetCertificatesResource(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("resources", got, resources)
			}},
			{Name: "ListIdentityCertificates", Weight: 30, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListIdentityCertificates(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("identity certificates", got, identities)
			}},
			{Name: "GetIdentityCertificate", Weight: 40, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID)
				if err != nil {
					return err
				}
				return proof.ConcSame("identity certificate", got, seed)
			}},
			{Name: "ImportTrustCertificate", Weight: 5, Do: func(ctx context.Context, n int) error {
				name := fmt.Sprintf("conc%05d", n)
				if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: name, Certificate: cert.Raw}); err != nil {
					return err
				}
				mu.Lock()
				imported = append(imported, name)
				mu.Unlock()
				return nil
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			if n := srv.TokenRequests() - tokensBefore; n != 1 {
				t.Errorf("the shared client sent %d generateToken requests, want 1", n)
			}
			stored := srv.TrustCertificateNames()
			slices.Sort(stored)
			slices.Sort(imported)
			if len(imported) != made["ImportTrustCertificate"] || !slices.Equal(stored, imported) {
				t.Errorf("the fake holds %d trust certificates, want the %d imported", len(stored), made["ImportTrustCertificate"])
			}
			list := proof.ConcMust(c.ListTrustCertificates(t.Context())).In(t)
			if len(list) != len(imported) || len(list) == 0 || !strings.Contains(list[0].Subject, "conc trust") {
				t.Errorf("trust certificates read back as %+v, want the %d imported", list, len(imported))
			}
		},
	}
}
