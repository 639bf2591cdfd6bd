package proof_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// unique makes names that do not collide between cells.
var unique atomic.Int64

func next(prefix string) string { return fmt.Sprintf("%s%d", prefix, unique.Add(1)) }

// ignore adapts a call with a result to the matrix's call shape.
func ignore[T any](_ T, err error) error { return err }

// toFile runs a download into path atomically, as users are told to.
func toFile(path string, download func(w io.Writer) error) error {
	return atomicfile.Write(path, 0o600, download)
}

func coreVendor(t *testing.T, secrets secretSet) *vendor {
	srv, err := coretest.NewServer(coretest.WithCredentials(coretest.Username, secrets.password))
	if err != nil {
		t.Fatal(err)
	}
	closeFake(t, srv)
	logs := &syncBuffer{}
	c, err := srv.NewClient(core.WithRetry(core.RetryPolicy(proofRetry)), core.WithTimeout(proofTimeout), core.WithLogger(proofLogger(logs)))
	if err != nil {
		t.Fatal(err)
	}
	const ce = coretest.UserProvidedCEID
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	fast := []core.CallOption{core.WithPollInterval(time.Millisecond)}
	upload := func(user string) error {
		return ignore(c.UploadUserProvidedCertificate(context.Background(), core.UploadUserProvidedCertificateInput{CEID: ce, Principal: user, PKCS12: bytes.NewReader(newPFX(t, user, secrets.pkcs12)), Password: secrets.pkcs12}))
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
	wrongPassword := newPFX(t, "jdoe", secrets.pkcs12+"-other")
	return &vendor{
		name: "core", srv: srv, inject: func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) }, logs: logs, auth: []string{secrets.password},
		badInputs: []func(context.Context) error{
			func(ctx context.Context) error {
				return ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: "jdoe", PKCS12: bytes.NewReader(wrongPassword), Password: secrets.pkcs12}))
			},
			func(ctx context.Context) error {
				return ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: "jdoe", PKCS12: bytes.NewReader([]byte("-----BEGIN CERTIFICATE-----\n")), Password: secrets.pkcs12}))
			},
		},
		errorIn200: `{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.Fake.FAILED","localizedMessage":"the operation failed","messageParameters":[]}]}`,
		ops: []operation{
			{name: "SearchCertificates", kind: read, method: "POST", prepare: same("/certificates/search", func(ctx context.Context) error {
				return ignore(c.SearchCertificates(ctx, filter))
			})},
			{name: "CertificateExportStatus", kind: read, method: "GET", prepare: same("/certificates/search_export_status", func(ctx context.Context) error {
				return ignore(c.CertificateExportStatus(ctx))
			})},
			{name: "InitiateCertificateExport", kind: write, method: "POST", prepare: same("/certificates/search_export", func(ctx context.Context) error {
				return ignore(c.InitiateCertificateExport(ctx, filter))
			})},
			{name: "DownloadCertificateExport", kind: download, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				exported(t)
				return "/certificates/search_download_csv", func(ctx context.Context, path string) error {
					return toFile(path, func(w io.Writer) error { return ignore(c.DownloadCertificateExport(ctx, w)) })
				}
			}},
			{name: "ExportCertificatesToFile", kind: download, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/certificates/search_download_csv", func(ctx context.Context, path string) error {
					return ignore(c.ExportCertificatesToFile(ctx, filter, path, fast...))
				}
			}},
			{name: "UploadUserProvidedCertificate", kind: write, method: "POST", carries: []string{secrets.pkcs12}, prepare: func(*testing.T) (string, func(context.Context, string) error) {
				user := next("jdoe")
				pfx := newPFX(t, user, secrets.pkcs12)
				return "/uploadCertificate", func(ctx context.Context, _ string) error {
					return ignore(c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ce, Principal: user, PKCS12: bytes.NewReader(pfx), Password: secrets.pkcs12}))
				}
			}},
			{name: "DeleteUserProvidedCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				user := next("del")
				if err := upload(user); err != nil {
					t.Fatal(err)
				}
				return "/deleteCertificate", func(ctx context.Context, _ string) error {
					return ignore(c.DeleteUserProvidedCertificate(ctx, ce, user))
				}
			}},
			{name: "GetUserProvidedCertificate", kind: read, method: "POST", prepare: same("/getCertificate", func(ctx context.Context) error {
				return ignore(c.GetUserProvidedCertificate(ctx, ce, coretest.CertificateOwner))
			})},
			{name: "ListUserProvidedCertificates", kind: read, method: "POST", prepare: same("/getAllUserProvidedCertificateDetails", func(ctx context.Context) error {
				return ignore(c.ListUserProvidedCertificates(ctx, coretest.CertificateOwner))
			})},
			{name: "PendingRevocationStatus", kind: read, method: "GET", prepare: same("/attemptRevokeForPendingRevocation/status", func(ctx context.Context) error {
				return ignore(c.PendingRevocationStatus(ctx))
			})},
			{name: "RevokePendingCertificates", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				srv.SetRevocationInProgress(false)
				return "/attemptRevokeForPendingRevocation", func(ctx context.Context, _ string) error { return ignore(c.RevokePendingCertificates(ctx)) }
			}},
			{name: "SCEPConfigurations", kind: read, method: "GET", prepare: same("/summary", func(ctx context.Context) error {
				return ignore(c.SCEPConfigurations(ctx, core.EnrollmentSubType("SYMANTEC_WS_MANAGED_PKI")))
			})},
			{name: "CEConfigurations", kind: read, method: "GET", prepare: same("/configurations", func(ctx context.Context) error {
				return ignore(c.CEConfigurations(ctx, core.EnrollmentSubType("SYMANTEC_WS_MANAGED_PKI")))
			})},
			{name: "SearchUsersWithoutCertificates", kind: read, method: "POST", prepare: same("/withnocerts/search", func(ctx context.Context) error {
				return ignore(c.SearchUsersWithoutCertificates(ctx, 32))
			})},
			{name: "UsersWithoutCertificatesExportStatus", kind: read, method: "POST", prepare: same("/withnocerts/search_export_status", func(ctx context.Context) error {
				return ignore(c.UsersWithoutCertificatesExportStatus(ctx, 32))
			})},
			{name: "InitiateUsersWithoutCertificatesExport", kind: write, method: "POST", prepare: same("/withnocerts/search_export", func(ctx context.Context) error {
				return ignore(c.InitiateUsersWithoutCertificatesExport(ctx, 32))
			})},
			{name: "ExportUsersWithoutCertificatesToFile", kind: download, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/withnocerts/search_download_csv", func(ctx context.Context, path string) error {
					return ignore(c.ExportUsersWithoutCertificatesToFile(ctx, 32, path, fast...))
				}
			}},
		},
	}
}

// czertainlyAdminV1Vendor is the 1.x Administrator API client
// (czertainly/adminv1); czertainlyVendor is the 2.x client.
func czertainlyAdminV1Vendor(t *testing.T, _ secretSet) *vendor {
	srv, err := adminv1test.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	closeFake(t, srv)
	logs := &syncBuffer{}
	c, err := srv.NewClient(adminv1.WithRetry(adminv1.RetryPolicy(proofRetry)), adminv1.WithTimeout(proofTimeout), adminv1.WithLogger(proofLogger(logs)))
	if err != nil {
		t.Fatal(err)
	}
	create := func(t *testing.T) string {
		id, err := c.CreateAdmin(context.Background(), newAdmin(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	onOne := func(call func(ctx context.Context, id string, opts ...adminv1.CallOption) error, suffix string) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := create(t)
			return "/admins/" + id + suffix, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onMany := func(call func(ctx context.Context, ids []string, opts ...adminv1.CallOption) error, suffix string) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			ids := []string{create(t), create(t)}
			return "/admins" + suffix, func(ctx context.Context, _ string) error { return call(ctx, ids) }
		}
	}
	return &vendor{
		name: "czertainly-adminv1", srv: srv, inject: func(f fakeserver.Fault) { srv.Inject(adminv1test.Fault(f)) }, logs: logs,
		ops: []operation{
			{name: "ListAdmins", kind: read, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/v1/admins", func(ctx context.Context, _ string) error { return ignore(c.ListAdmins(ctx)) }
			}},
			{name: "GetAdmin", kind: read, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/admins/" + adminv1test.SuperAdminUUID, func(ctx context.Context, _ string) error {
					return ignore(c.GetAdmin(ctx, adminv1test.SuperAdminUUID))
				}
			}},
			{name: "CreateAdmin", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				in := newAdmin(t, srv)
				return "/v1/admins", func(ctx context.Context, _ string) error { return ignore(c.CreateAdmin(ctx, in)) }
			}},
			{name: "UpdateAdmin", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := create(t)
				edited := "edited"
				return "/admins/" + id, func(ctx context.Context, _ string) error {
					return ignore(c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Description: &edited}))
				}
			}},
			{name: "DeleteAdmin", kind: write, method: "DELETE", bodiless: true, prepare: onOne(c.DeleteAdmin, "")},
			{name: "DisableAdmin", kind: write, method: "PUT", bodiless: true, prepare: onOne(c.DisableAdmin, "/disable")},
			{name: "EnableAdmin", kind: write, method: "PUT", bodiless: true, prepare: onOne(c.EnableAdmin, "/enable")},
			{name: "DeleteAdmins", kind: write, method: "DELETE", bodiless: true, prepare: onMany(c.DeleteAdmins, "")},
			{name: "DisableAdmins", kind: write, method: "PUT", bodiless: true, prepare: onMany(c.DisableAdmins, "/disable")},
			{name: "EnableAdmins", kind: write, method: "PUT", bodiless: true, prepare: onMany(c.EnableAdmins, "/enable")},
		},
	}
}

func newAdmin(t *testing.T, srv *adminv1test.Server) adminv1.CreateAdminInput {
	name := next("admin")
	cert, err := srv.CA.IssueClientCertificate(name)
	if err != nil {
		t.Fatal(err)
	}
	return adminv1.CreateAdminInput{
		Username: name, Name: "Proof", Surname: "Suite", Email: name + "@example.com",
		Role: adminv1.RoleAdministrator, Certificate: cert.Certificate[0], Enabled: true,
	}
}

func enterpriseVendor(t *testing.T, secrets secretSet) *vendor {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	closeFake(t, srv)
	srv.AddUser("proofadmin", secrets.password)
	logs := &syncBuffer{}
	options := func(password string) []enterpriseadmin.Option {
		return []enterpriseadmin.Option{enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy(proofRetry)), enterpriseadmin.WithTimeout(proofTimeout),
			enterpriseadmin.WithLogger(proofLogger(logs)), enterpriseadmin.WithCredentials("proofadmin", password)}
	}
	c, err := enterpriseadmin.NewClient(srv.URL, options(secrets.password)...)
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
		name := next("ident")
		crt, err := c.ImportIdentityCertificate(context.Background(), enterpriseadmin.ImportIdentityCertificateInput{Name: name, PFX: newPFX(t, name, secrets.pkcs12), Password: secrets.pkcs12})
		if err != nil {
			t.Fatal(err)
		}
		return crt.ID
	}
	importTrust := func(t *testing.T) string {
		name := next("trust")
		if err := c.ImportTrustCertificate(context.Background(), enterpriseadmin.ImportTrustCertificateInput{Name: name, Certificate: selfSignedDER(t, name)}); err != nil {
			t.Fatal(err)
		}
		return idOf(t, name, c.ListTrustCertificates)
	}
	wrongUser, err := enterpriseadmin.NewClient(srv.URL, options(secrets.password+"-wrong")...)
	if err != nil {
		t.Fatal(err)
	}
	return &vendor{
		name: "enterpriseadmin", srv: srv, inject: func(f fakeserver.Fault) { srv.Inject(enterpriseadmintest.Fault(f)) }, logs: logs, auth: []string{secrets.password},
		issuedSecrets: srv.IssuedTokens,
		badInputs: []func(context.Context) error{
			func(ctx context.Context) error { return ignore(wrongUser.ListIdentityCertificates(ctx)) },
			func(ctx context.Context) error {
				return ignore(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", PFX: newPFX(t, "x", secrets.pkcs12+"-other"), Password: secrets.pkcs12}))
			},
		},
		errorIn200: `{"error":{"code":500,"message":"Unable to complete the operation.","details":["the server failed"]}}`,
		ops: []operation{
			{name: "GetCertificatesResource", kind: read, method: "GET", prepare: fixed("/security/certificates", func(ctx context.Context) error {
				return ignore(c.GetCertificatesResource(ctx))
			})},
			{name: "ListIdentityCertificates", kind: read, method: "GET", prepare: fixed("/certificates/identity", func(ctx context.Context) error {
				return ignore(c.ListIdentityCertificates(ctx))
			})},
			{name: "GetIdentityCertificate", kind: read, method: "GET", prepare: fixed("/identity/"+seed, func(ctx context.Context) error {
				return ignore(c.GetIdentityCertificate(ctx, seed))
			})},
			{name: "ListTrustCertificates", kind: read, method: "GET", prepare: fixed("/certificates/trust", func(ctx context.Context) error {
				return ignore(c.ListTrustCertificates(ctx))
			})},
			{name: "GetTrustCertificate", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importTrust(t)
				return "/trust/" + id, func(ctx context.Context, _ string) error { return ignore(c.GetTrustCertificate(ctx, id)) }
			}},
			{name: "ImportIdentityCertificate", kind: write, method: "POST", carries: []string{secrets.pkcs12}, prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				name := next("ident")
				pfx := newPFX(t, name, secrets.pkcs12)
				return "/identity/import", func(ctx context.Context, _ string) error {
					return ignore(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: name, PFX: pfx, Password: secrets.pkcs12}))
				}
			}},
			{name: "DeleteIdentityCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importIdentity(t)
				return "/identity/" + id + "/delete", func(ctx context.Context, _ string) error { return c.DeleteIdentityCertificate(ctx, id) }
			}},
			{name: "ImportTrustCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				name := next("trust")
				der := selfSignedDER(t, name)
				return "/trust/import", func(ctx context.Context, _ string) error {
					return c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: name, Certificate: der})
				}
			}},
			{name: "DeleteTrustCertificate", kind: write, method: "POST", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := importTrust(t)
				return "/trust/" + id + "/delete", func(ctx context.Context, _ string) error { return c.DeleteTrustCertificate(ctx, id) }
			}},
			{name: "GenerateToken", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				srv.ExpireTokens()
				return "/generateToken", func(ctx context.Context, _ string) error { return ignore(c.ListIdentityCertificates(ctx)) }
			}},
		},
	}
}
