package main

// The vendor wiring, in one file: how a system of the config file becomes
// a client, and the in-process fakes used without -config.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// system is one system to read: its name and vendor (for the output and
// the metrics) and its client.
type system struct {
	name, vendor string
	lister       inventory.Lister
}

// tlsSettings are the TLS files of a system, read once.
type tlsSettings struct {
	roots      *x509.CertPool   // nil: the system's roots
	clientCert *tls.Certificate // nil: none
}

// vendor opens a client of one vendor from a system's settings.
type vendor func(s *systemConfig, cred credentials, t tlsSettings, logger *slog.Logger) (inventory.Lister, func(), error)

// vendors are the values of "vendor" in the config file: the
// certificate-holding vendor packages.
var vendors = map[string]vendor{
	"mobileiron/core": openCore,
	"mimcm":           openMIMCM,
	"czertainly":      openCzertainly,
	"enterpriseadmin": openEnterpriseAdmin,
}

func vendorNames() []string {
	var names []string
	for n := range vendors {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// open builds the client of one configured system.
func open(s *systemConfig, getenv func(string) string, logger *slog.Logger) (system, func(), error) {
	cred, err := s.credentials(getenv)
	if err != nil {
		return system{}, nil, err
	}
	var t tlsSettings
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return system{}, nil, usagef("system %q: caFile: %v", s.Name, err)
		}
		t.roots = x509.NewCertPool()
		if !t.roots.AppendCertsFromPEM(pem) {
			return system{}, nil, usagef("system %q: caFile %s holds no PEM certificate", s.Name, s.CAFile)
		}
	}
	if s.ClientCertFile != "" {
		c, err := tls.LoadX509KeyPair(s.ClientCertFile, s.ClientKeyFile)
		if err != nil {
			return system{}, nil, usagef("system %q: client certificate: %v", s.Name, err)
		}
		t.clientCert = &c
	}
	l, closeFn, err := vendors[s.Vendor](s, cred, t, logger.With("system", s.Name))
	if err != nil {
		return system{}, nil, err
	}
	return system{name: s.Name, vendor: s.Vendor, lister: l}, closeFn, nil
}

// needs refuses a system whose credentials are not one of the vendor's
// sign-ins.
func needs(s *systemConfig, ok bool, what string) error {
	if !ok {
		return usagef("system %q (%s): %s", s.Name, s.Vendor, what)
	}
	return nil
}

// Every vendor client is a Lister: the compiler checks it here.
var (
	_ inventory.Lister = (*core.Client)(nil)
	_ inventory.Lister = (*mimcm.Client)(nil)
	_ inventory.Lister = (*czertainly.Client)(nil)
	_ inventory.Lister = (*enterpriseadmin.Client)(nil)
)

type coreOptions struct {
	// AdminDeviceSpaceID is the administrator's device space (default 1).
	AdminDeviceSpaceID int64 `json:"adminDeviceSpaceId,omitempty"`
	// CESettings are the certificate enrollments to list (default: every
	// one the CE configurations name).
	CESettings []string `json:"ceSettings,omitempty"`
}

func openCore(s *systemConfig, cred credentials, t tlsSettings, logger *slog.Logger) (inventory.Lister, func(), error) {
	var vo coreOptions
	if err := s.vendorOptions(&vo); err != nil {
		return nil, nil, err
	}
	if err := needs(s, cred.username != "" && cred.password != "" && cred.token == "", "give username (or usernameEnv) and passwordEnv: Core takes basic authentication"); err != nil {
		return nil, nil, err
	}
	opts := []core.Option{core.WithBasicAuth(cred.username, cred.password), core.WithTimeout(s.timeout), core.WithLogger(logger)}
	if vo.AdminDeviceSpaceID != 0 {
		opts = append(opts, core.WithAdminDeviceSpaceID(vo.AdminDeviceSpaceID))
	}
	if len(vo.CESettings) > 0 {
		opts = append(opts, core.WithInventoryCESettings(vo.CESettings...))
	}
	if t.roots != nil {
		opts = append(opts, core.WithRootCAs(t.roots))
	}
	if t.clientCert != nil {
		opts = append(opts, core.WithClientCertificate(*t.clientCert))
	}
	c, err := core.NewClient(s.URL, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}

type mimcmOptions struct {
	// Auth is "basic" or "ntlm" with a user name and password; without
	// it, basic, or the bearer token of tokenEnv.
	Auth string `json:"auth,omitempty"`
}

func openMIMCM(s *systemConfig, cred credentials, t tlsSettings, logger *slog.Logger) (inventory.Lister, func(), error) {
	var vo mimcmOptions
	if err := s.vendorOptions(&vo); err != nil {
		return nil, nil, err
	}
	opts := []mimcm.Option{mimcm.WithTimeout(s.timeout), mimcm.WithLogger(logger)}
	userPass := cred.username != "" && cred.password != "" && cred.token == ""
	switch vo.Auth {
	case "":
		if cred.token != "" && cred.username == "" && cred.password == "" {
			opts = append(opts, mimcm.WithToken(mimcm.StaticToken(cred.token)))
			break
		}
		fallthrough
	case "basic":
		if err := needs(s, userPass, "give username (or usernameEnv) and passwordEnv, or only tokenEnv"); err != nil {
			return nil, nil, err
		}
		opts = append(opts, mimcm.WithBasicAuth(cred.username, cred.password))
	case "ntlm":
		if err := needs(s, userPass, `"auth": "ntlm" needs username (or usernameEnv) and passwordEnv`); err != nil {
			return nil, nil, err
		}
		opts = append(opts, mimcm.WithNTLM(cred.username, cred.password))
	default:
		return nil, nil, usagef("system %q: options.auth %q: want basic or ntlm", s.Name, vo.Auth)
	}
	if t.roots != nil {
		opts = append(opts, mimcm.WithRootCAs(t.roots))
	}
	if t.clientCert != nil {
		opts = append(opts, mimcm.WithClientCertificate(*t.clientCert))
	}
	c, err := mimcm.NewClient(s.URL, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}

func openCzertainly(s *systemConfig, cred credentials, t tlsSettings, logger *slog.Logger) (inventory.Lister, func(), error) {
	var vo struct{}
	if err := s.vendorOptions(&vo); err != nil {
		return nil, nil, err
	}
	if err := needs(s, (t.clientCert != nil) != (cred.token != "") && cred.username == "" && cred.password == "",
		"give clientCertFile and clientKeyFile (mutual TLS) or tokenEnv (a bearer token), one of them"); err != nil {
		return nil, nil, err
	}
	opts := []czertainly.Option{czertainly.WithTimeout(s.timeout), czertainly.WithLogger(logger)}
	if cred.token != "" {
		opts = append(opts, czertainly.WithBearerToken(cred.token))
	}
	if t.clientCert != nil {
		opts = append(opts, czertainly.WithClientCertificate(*t.clientCert))
	}
	if t.roots != nil {
		opts = append(opts, czertainly.WithRootCAs(t.roots))
	}
	c, err := czertainly.NewClient(s.URL, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}

type enterpriseAdminOptions struct {
	// WebContext is the web context's name when url is only the host.
	WebContext string `json:"webContext,omitempty"`
}

func openEnterpriseAdmin(s *systemConfig, cred credentials, t tlsSettings, logger *slog.Logger) (inventory.Lister, func(), error) {
	var vo enterpriseAdminOptions
	if err := s.vendorOptions(&vo); err != nil {
		return nil, nil, err
	}
	userPass := cred.username != "" && cred.password != ""
	if err := needs(s, userPass != (cred.token != "") && (userPass || cred.username == "" && cred.password == ""),
		"give username (or usernameEnv) and passwordEnv, or tokenEnv, one of them"); err != nil {
		return nil, nil, err
	}
	opts := []enterpriseadmin.Option{enterpriseadmin.WithTimeout(s.timeout), enterpriseadmin.WithLogger(logger)}
	if userPass {
		opts = append(opts, enterpriseadmin.WithCredentials(cred.username, cred.password))
	} else {
		opts = append(opts, enterpriseadmin.WithToken(enterpriseadmin.StaticToken(cred.token)))
	}
	if vo.WebContext != "" {
		opts = append(opts, enterpriseadmin.WithWebContext(vo.WebContext))
	}
	if t.roots != nil {
		opts = append(opts, enterpriseadmin.WithRootCAs(t.roots))
	}
	if t.clientCert != nil {
		opts = append(opts, enterpriseadmin.WithClientCertificate(*t.clientCert))
	}
	c, err := enterpriseadmin.NewClient(s.URL, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}

// startFakes starts every certificate-holding fake in-process, seeded
// beside the documentation's samples with certificates of which some
// expire within 30 days, plus extra certificates spread over the four
// (-fake-certificates, to watch a large inventory), and returns a client
// of each.
func startFakes(extra int, logger *slog.Logger) ([]system, func(), error) {
	var closers []func()
	closeAll := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	var systems []system
	add := func(name, vendorName string, c interface {
		inventory.Lister
		Close()
	}, err error) error {
		if err != nil {
			return err
		}
		closers = append(closers, c.Close)
		systems = append(systems, system{name: name, vendor: vendorName, lister: c})
		return nil
	}
	fail := func(err error) ([]system, func(), error) { closeAll(); return nil, nil, err }
	share := extra / 4

	cs, err := coretest.NewServer()
	if err != nil {
		return fail(err)
	}
	closers = append(closers, cs.Close)
	// Core answers one enrollment per search: a large share is spread
	// over enrollments of at most 1000.
	seeds := []struct {
		name string
		n    int
		in   time.Duration
	}{{"VPNCE", 2, 12 * day}, {"WiFiCE", 20, 200 * day}}
	for i := 0; i*1000 < share; i++ {
		seeds = append(seeds, struct {
			name string
			n    int
			in   time.Duration
		}{fmt.Sprintf("FleetCE%d", i+1), min(1000, share-i*1000), 400 * day})
	}
	for _, sd := range seeds {
		if err := cs.AddGeneratedCertificates(sd.name, sd.n, sd.in); err != nil {
			return fail(err)
		}
	}
	c, err := cs.NewClient(core.WithLogger(logger.With("system", "core")))
	if err := add("core", "mobileiron/core", c, err); err != nil {
		return fail(err)
	}

	ms, err := mimcmtest.NewServer()
	if err != nil {
		return fail(err)
	}
	closers = append(closers, ms.Close)
	ms.AddGeneratedProfiles(2, 1, 15*day)
	ms.AddGeneratedProfiles(5, 2, 300*day)
	if share > 0 {
		ms.AddGeneratedProfiles((share+9)/10, 10, 500*day)
	}
	m, err := ms.NewClient(mimcm.WithLogger(logger.With("system", "mimcm")))
	if err := add("mimcm", "mimcm", m, err); err != nil {
		return fail(err)
	}

	zs, err := czertainlytest.NewServer()
	if err != nil {
		return fail(err)
	}
	closers = append(closers, zs.Close)
	if err := zs.AddGeneratedCertificates(30+share, 365*day); err != nil {
		return fail(err)
	}
	z, err := zs.NewClient(czertainly.WithLogger(logger.With("system", "czertainly")))
	if err := add("czertainly", "czertainly", z, err); err != nil {
		return fail(err)
	}

	es, err := enterpriseadmintest.NewServer()
	if err != nil {
		return fail(err)
	}
	closers = append(closers, es.Close)
	for _, sd := range []struct {
		typ enterpriseadmin.CertificateType
		n   int
		in  time.Duration
	}{{enterpriseadmin.CertificateTypeIdentity, 1, 21 * day}, {enterpriseadmin.CertificateTypeTrust, 8 + share, 3000 * day}} {
		if err := es.AddGeneratedCertificates(sd.typ, sd.n, sd.in); err != nil {
			return fail(err)
		}
	}
	e, err := es.NewClient(enterpriseadmin.WithLogger(logger.With("system", "arcgis")))
	if err := add("arcgis", "enterpriseadmin", e, err); err != nil {
		return fail(err)
	}
	return systems, closeAll, nil
}

const day = 24 * time.Hour
