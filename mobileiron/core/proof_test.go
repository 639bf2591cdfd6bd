package core_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// TestProof registers Core with the proof suite (internal/proof): the
// fault matrix over every operation below, the secrets proof, the
// concurrency mix and the check that every *Client method has a row.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*core.Client](), Matrix: []proof.Builder{coreVendor}, Concurrency: concCore, Root: ".",
		NotInMatrix: map[string]string{
			"Raw":                "returns the generated client; sends nothing",
			"AdminDeviceSpaceID": "returns the client's setting; sends nothing",
		},
	})
}

func coreVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := coretest.NewServer(coretest.WithCredentials(coretest.Username, secrets.Password))
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	logs := &proof.SyncBuffer{}
	c, err := srv.NewClient(core.WithRetry(core.RetryPolicy(proof.Retry)), core.WithTimeout(proof.Timeout), core.WithLogger(proof.Logger(logs)))
	if err != nil {
		t.Fatal(err)
	}
	const ce = coretest.UserProvidedCEID
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	fast := []core.CallOption{core.WithPollInterval(time.Millisecond)}
	upload := func(user string) error {
		return proof.Ignore(c.UploadUserProvidedCertificate(context.Background(), core.UploadUserProvidedCertificateInput{CEID: ce, Principal: user, PKCS12: bytes.NewReader(proof.NewPFX(t, user, secrets.PKCS12)), Password: secrets.PKCS12}))
	}
	same := func(suffix string, call func(ctx context.Context) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(*testing.T) (string, func(context.Context, string) error) {
			return suffix, func(ctx context.Context, _ string) error { return call(ctx) }
		}
	}
	exported := func(t *testing.T) {
		if _, err := c.ExportCertificates(context.Background(), filter, io.Discard, fast...); err != nil {
			t.Fatal(err)
		}
	}
	wrongPassword := proof.NewPFX(t, "jdoe", secrets.PKCS12+"-other")
	return &proof.Vendor{
		Name: "core", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) }, Logs: logs, Auth: []string{secrets.Password},
		BadInputs: []func(context.Context) error{
			func(ctx context.Context) error {
				return proof.Ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: "jdoe", PKCS12: bytes.NewReader(wrongPassword), Password: secrets.PKCS12}))
			},
			func(ctx context.Context) error {
				return proof.Ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: "jdoe", PKCS12: bytes.NewReader([]byte("-----BEGIN CERTIFICATE-----\n")), Password: secrets.PKCS12}))
			},
		},
		ErrorIn200: `{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.Fake.FAILED","localizedMessage":"the operation failed","messageParameters":[]}]}`,
		Ops: []proof.Operation{
			{Name: "SearchCertificates", Method: "POST", Prepare: same("/certificates/search", func(ctx context.Context) error {
				return proof.Ignore(c.SearchCertificates(ctx, filter))
			})},
			{Name: "CertificateExportStatus", Method: "GET", Prepare: same("/certificates/search_export_status", func(ctx context.Context) error {
				return proof.Ignore(c.CertificateExportStatus(ctx))
			})},
			{Name: "InitiateCertificateExport", Method: "POST", Prepare: same("/certificates/search_export", func(ctx context.Context) error {
				return proof.Ignore(c.InitiateCertificateExport(ctx, filter))
			})},
			{Name: "DownloadCertificateExport", Kind: proof.Download, Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				exported(t)
				return "/certificates/search_download_csv", func(ctx context.Context, path string) error {
					return proof.ToFile(path, func(w io.Writer) error { return proof.Ignore(c.DownloadCertificateExport(ctx, w)) })
				}
			}},
			{Name: "ExportCertificates", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/search_download_csv", func(ctx context.Context, path string) error {
					return proof.ToFile(path, func(w io.Writer) error { return proof.Ignore(c.ExportCertificates(ctx, filter, w, fast...)) })
				}
			}},
			{Name: "ExportCertificatesToFile", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/search_download_csv", func(ctx context.Context, path string) error {
					return proof.Ignore(c.ExportCertificatesToFile(ctx, filter, path, fast...))
				}
			}},
			{Name: "UploadUserProvidedCertificate", Method: "POST", Carries: []string{secrets.PKCS12}, Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				user := proof.Next("jdoe")
				pfx := proof.NewPFX(t, user, secrets.PKCS12)
				return "/uploadCertificate", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: user, PKCS12: bytes.NewReader(pfx), Password: secrets.PKCS12}))
				}
			}},
			{Name: "DeleteUserProvidedCertificate", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				user := proof.Next("del")
				if err := upload(user); err != nil {
					t.Fatal(err)
				}
				return "/deleteCertificate", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.DeleteUserProvidedCertificate(ctx, ce, user))
				}
			}},
			{Name: "GetUserProvidedCertificate", Method: "POST", Prepare: same("/getCertificate", func(ctx context.Context) error {
				return proof.Ignore(c.GetUserProvidedCertificate(ctx, ce, coretest.CertificateOwner))
			})},
			{Name: "ListUserProvidedCertificates", Method: "POST", Prepare: same("/getAllUserProvidedCertificateDetails", func(ctx context.Context) error {
				return proof.Ignore(c.ListUserProvidedCertificates(ctx, coretest.CertificateOwner))
			})},
			{Name: "PendingRevocationStatus", Method: "GET", Prepare: same("/attemptRevokeForPendingRevocation/status", func(ctx context.Context) error {
				return proof.Ignore(c.PendingRevocationStatus(ctx))
			})},
			{Name: "RevokePendingCertificates", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				srv.SetRevocationInProgress(false)
				return "/attemptRevokeForPendingRevocation", func(ctx context.Context, _ string) error { return proof.Ignore(c.RevokePendingCertificates(ctx)) }
			}},
			{Name: "SCEPConfigurations", Method: "GET", Prepare: same("/summary", func(ctx context.Context) error {
				return proof.Ignore(c.SCEPConfigurations(ctx, core.EnrollmentSubType("SYMANTEC_WS_MANAGED_PKI")))
			})},
			{Name: "CEConfigurations", Method: "GET", Prepare: same("/configurations", func(ctx context.Context) error {
				return proof.Ignore(c.CEConfigurations(ctx, core.EnrollmentSubType("SYMANTEC_WS_MANAGED_PKI")))
			})},
			// Faults hit its first request, the first sub-type's configurations.
			{Name: "CertificateInventory", Method: "GET", Prepare: same("/CE/BLUE_COAT/configurations", func(ctx context.Context) error {
				for _, err := range c.CertificateInventory(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "SearchUsersWithoutCertificates", Method: "POST", Prepare: same("/withnocerts/search", func(ctx context.Context) error {
				return proof.Ignore(c.SearchUsersWithoutCertificates(ctx, 32))
			})},
			{Name: "UsersWithoutCertificatesExportStatus", Method: "POST", Prepare: same("/withnocerts/search_export_status", func(ctx context.Context) error {
				return proof.Ignore(c.UsersWithoutCertificatesExportStatus(ctx, 32))
			})},
			{Name: "InitiateUsersWithoutCertificatesExport", Method: "POST", Prepare: same("/withnocerts/search_export", func(ctx context.Context) error {
				return proof.Ignore(c.InitiateUsersWithoutCertificatesExport(ctx, 32))
			})},
			{Name: "DownloadUsersWithoutCertificatesExport", Kind: proof.Download, Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				if _, err := c.ExportUsersWithoutCertificates(context.Background(), 32, io.Discard, fast...); err != nil {
					t.Fatal(err)
				}
				return "/withnocerts/search_download_csv", func(ctx context.Context, path string) error {
					return proof.ToFile(path, func(w io.Writer) error { return proof.Ignore(c.DownloadUsersWithoutCertificatesExport(ctx, 32, w)) })
				}
			}},
			{Name: "ExportUsersWithoutCertificates", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/withnocerts/search_download_csv", func(ctx context.Context, path string) error {
					return proof.ToFile(path, func(w io.Writer) error { return proof.Ignore(c.ExportUsersWithoutCertificates(ctx, 32, w, fast...)) })
				}
			}},
			{Name: "ExportUsersWithoutCertificatesToFile", Kind: proof.Download, Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/withnocerts/search_download_csv", func(ctx context.Context, path string) error {
					return proof.Ignore(c.ExportUsersWithoutCertificatesToFile(ctx, 32, path, fast...))
				}
			}},
		},
	}
}

func concCore(t *testing.T) *proof.ConcVendor {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	newClient := func() *core.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	const ce = coretest.UserProvidedCEID
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}

	// Baselines, read one at a time by another client, checked against
	// the seed's samples.
	setup := newClient()
	certs := proof.ConcMust(setup.SearchCertificates(ctx, filter)).In(t).Results
	if len(certs) == 0 || certs[0].ID != 2 || certs[0].SerialNumber != "102" {
		t.Fatalf("seeded search = %+v, want the sample's certificate 2 first", certs)
	}
	for _, c := range certs {
		if c.Status != core.CertificateStatusActive || c.CESettingName != coretest.CESettingName {
			t.Fatalf("search returned %+v, outside the filter", c)
		}
	}
	ownedResult := proof.ConcMust(setup.GetUserProvidedCertificate(ctx, ce, coretest.CertificateOwner)).In(t)
	if len(ownedResult.Results) != 1 {
		t.Fatalf("seeded user-provided certificates = %+v", ownedResult)
	}
	owned := &ownedResult.Results[0]
	if owned.Version != "3" || owned.SignatureAlgorithm != "SHA256WITHRSA" {
		t.Fatalf("seeded user-provided certificate = %+v", owned)
	}
	enrollments := proof.ConcMust(setup.ListUserProvidedCertificates(ctx, coretest.CertificateOwner)).In(t).Results
	if len(enrollments) != 1 || enrollments[0].CEID != 10 || enrollments[0].CertificateID != 11 {
		t.Fatalf("seeded enrollments = %+v", enrollments)
	}
	ceConfigs := proof.ConcMust(setup.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)).In(t).Results
	if len(ceConfigs) != 1 {
		t.Fatalf("seeded CE configurations = %+v", ceConfigs)
	}
	if id, err := ceConfigs[0].CEID(); err != nil || id != ce {
		t.Fatalf("seeded CE configurations = %+v", ceConfigs)
	}
	scepConfigs := proof.ConcMust(setup.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided)).In(t).Results
	if len(scepConfigs) == 0 {
		t.Fatal("no seeded SCEP configurations")
	}
	users := proof.ConcMust(setup.SearchUsersWithoutCertificates(ctx, 10)).In(t).Results
	if len(users) != 1 || users[0].ID != 9001 || users[0].Principal != "miadmin" {
		t.Fatalf("seeded users without certificates = %+v", users)
	}
	revocation := proof.ConcMust(setup.PendingRevocationStatus(ctx)).In(t)
	if revocation.InProgress {
		t.Fatalf("seeded revocation status = %+v, want idle", revocation)
	}

	// Uploads use one small PKCS#12 file under many principals; few
	// key-derivation rounds keep the checks on both sides cheap.
	const pfxPassword = "conc-pfx-password"
	key, cert := proof.ConcCertificate(t, "conc upload")
	pfx := proof.ConcMust(pkcs12.Modern.WithIterations(1).Encode(key, cert, nil, pfxPassword)).In(t)

	c := newClient()
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) },
		Calls: []proof.ConcCall{
			{Name: "SearchCertificates", Weight: 20, Do: func(ctx context.Context, _ int) error {
				got, err := c.SearchCertificates(ctx, filter)
				if err != nil {
					return err
				}
				return proof.ConcSame("certificates", got.Results, certs)
			}},
			{Name: "GetUserProvidedCertificate", Weight: 15, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetUserProvidedCertificate(ctx, ce, coretest.CertificateOwner)
				if err != nil {
					return err
				}
				if len(got.Results) != 1 {
					return fmt.Errorf("%d certificates, want 1", len(got.Results))
				}
				return proof.ConcSame("certificate", &got.Results[0], owned)
			}},
			{Name: "ListUserProvidedCertificates", Weight: 15, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListUserProvidedCertificates(ctx, coretest.CertificateOwner)
				if err != nil {
					return err
				}
				return proof.ConcSame("enrollments", got.Results, enrollments)
			}},
			{Name: "CEConfigurations", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
				if err != nil {
					return err
				}
				return proof.ConcSame("CE configurations", got.Results, ceConfigs)
			}},
			{Name: "SCEPConfigurations", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
				if err != nil {
					return err
				}
				return proof.ConcSame("SCEP configurations", got.Results, scepConfigs)
			}},
			{Name: "SearchUsersWithoutCertificates", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.SearchUsersWithoutCertificates(ctx, 10)
				if err != nil {
					return err
				}
				return proof.ConcSame("users", got.Results, users)
			}},
			{Name: "PendingRevocationStatus", Weight: 12, Do: func(ctx context.Context, _ int) error {
				got, err := c.PendingRevocationStatus(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("revocation status", got, revocation)
			}},
			{Name: "UploadUserProvidedCertificate", Weight: 2, Do: func(ctx context.Context, n int) error {
				_, err := c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: fmt.Sprintf("conc%05d", n), PKCS12: bytes.NewReader(pfx), Password: pfxPassword})
				return err
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			// Every upload landed under its own principal, besides the seed's.
			var principals []string
			for _, p := range srv.UserProvidedCertificates(ce) {
				if p != coretest.CertificateOwner {
					principals = append(principals, p)
				}
			}
			if len(principals) != made["UploadUserProvidedCertificate"] || len(principals) == 0 {
				t.Fatalf("the fake holds %d uploaded certificates, want %d", len(principals), made["UploadUserProvidedCertificate"])
			}
			got := proof.ConcMust(c.GetUserProvidedCertificate(t.Context(), ce, principals[len(principals)-1])).In(t)
			if len(got.Results) != 1 || got.Results[0].CommonName != "conc upload" {
				t.Errorf("uploaded certificate reads back as %+v", got)
			}
		},
	}
}
