package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// startAdminV1 starts the CZERTAINLY 1.x Administrator API's fake, always
// HTTPS with client certificates (cfg changes nothing); its CA signed both
// the server's and the client's.
func startAdminV1(f *fakes, _ config) error {
	srv, err := adminv1test.NewServer()
	if err != nil {
		return fmt.Errorf("CZERTAINLY 1.x fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	cz1Dir := filepath.Join(f.dir, "czertainly1")
	if err := os.Mkdir(cz1Dir, 0o700); err != nil {
		return err
	}
	cf, err := srv.WriteClientFiles(cz1Dir)
	if err != nil {
		return fmt.Errorf("CZERTAINLY 1.x fake: %w", err)
	}
	f.set("CZERTAINLY1_URL", srv.URL)
	f.set("CZERTAINLY1_CERT_FILE", cf.CertFile)
	f.set("CZERTAINLY1_KEY_FILE", cf.KeyFile)
	f.set("CZERTAINLY1_CA_FILE", cf.CAFile)
	f.running = append(f.running, runningFake{Name: "CZERTAINLY 1.x", Prefix: "CZERTAINLY1", Server: srv})
	return nil
}
