package main

import (
	"fmt"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// startMIMCM starts MIM CM's fake, with Basic authentication (the fake's
// default).
func startMIMCM(f *fakes, cfg config) error {
	var mimcmOpts []mimcmtest.Option
	if cfg.TLS {
		mimcmOpts = append(mimcmOpts, mimcmtest.WithTLS())
	}
	srv, err := mimcmtest.NewServer(mimcmOpts...)
	if err != nil {
		return fmt.Errorf("MIM CM fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	f.set("MIMCM_URL", srv.URL)
	f.set("MIMCM_USER", srv.Username)
	f.set("MIMCM_PASSWORD", srv.Password)
	if err := f.caFile("MIMCM", srv.Certificate()); err != nil {
		return err
	}
	f.running = append(f.running, runningFake{Name: "MIM CM", Prefix: "MIMCM", Server: srv})
	return nil
}
