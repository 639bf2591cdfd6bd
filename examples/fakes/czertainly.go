package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// startCzertainly starts CZERTAINLY 2.x's fake, by mutual TLS. Its server
// certificate is httptest's self-signed one; the client certificate comes
// from the fake's CA.
func startCzertainly(f *fakes, cfg config) error {
	srv, err := czertainlytest.NewServer(czertainlytest.WithMutualTLS(), czertainlytest.WithIssuePolls(cfg.Polls))
	if err != nil {
		return fmt.Errorf("CZERTAINLY fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	certPEM, keyPEM, err := adminv1test.EncodePEM(srv.AdminCertificate)
	if err != nil {
		return fmt.Errorf("CZERTAINLY fake: %w", err)
	}
	czDir := filepath.Join(f.dir, "czertainly")
	if err := os.Mkdir(czDir, 0o700); err != nil {
		return err
	}
	files := []struct {
		name, file string
		data       []byte
	}{
		{"CZERTAINLY_CERT_FILE", "client.crt", certPEM},
		{"CZERTAINLY_KEY_FILE", "client.key", keyPEM},
		{"CZERTAINLY_CA_FILE", "ca.pem", certificatePEM(srv.Certificate())},
	}
	f.set("CZERTAINLY_URL", srv.URL)
	for _, w := range files {
		path := filepath.Join(czDir, w.file)
		if err := os.WriteFile(path, w.data, 0o600); err != nil {
			return err
		}
		f.set(w.name, path)
	}
	f.set("CZERTAINLY_TOKEN", czertainlytest.BearerToken)
	f.running = append(f.running, runningFake{Name: "CZERTAINLY", Prefix: "CZERTAINLY", Server: srv, Vendor: srv.VendorViolations})
	return nil
}
