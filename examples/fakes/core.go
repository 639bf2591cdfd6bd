package main

import (
	"fmt"

	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// startCore starts MobileIron Core's fake.
func startCore(f *fakes, cfg config) error {
	var coreOpts []coretest.Option
	if cfg.TLS {
		coreOpts = append(coreOpts, coretest.WithTLS())
	}
	srv, err := coretest.NewServer(coreOpts...)
	if err != nil {
		return fmt.Errorf("MobileIron Core fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	// SetExportPolls, unlike WithExportPolls, takes 0: done at the first check.
	srv.SetExportPolls(cfg.Polls)
	f.set("CORE_URL", srv.URL)
	f.set("CORE_USER", srv.Username)
	f.set("CORE_PASSWORD", srv.Password)
	if err := f.caFile("CORE", srv.Certificate()); err != nil {
		return err
	}
	f.running = append(f.running, runningFake{Name: "MobileIron Core", Prefix: "CORE", Server: srv})
	return nil
}
