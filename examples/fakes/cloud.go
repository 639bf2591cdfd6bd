package main

import (
	"fmt"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// startCloud starts MobileIron Cloud's fake.
func startCloud(f *fakes, cfg config) error {
	cloudOpts := []cloudtest.Option{cloudtest.WithImportPolls(cfg.Polls)}
	if cfg.TLS {
		cloudOpts = append(cloudOpts, cloudtest.WithTLS())
	}
	srv, err := cloudtest.NewServer(cloudOpts...)
	if err != nil {
		return fmt.Errorf("MobileIron Cloud fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	f.set("CLOUD_URL", srv.URL)
	f.set("CLOUD_USER", srv.Username)
	f.set("CLOUD_PASSWORD", srv.Password)
	if err := f.caFile("CLOUD", srv.Certificate()); err != nil {
		return err
	}
	f.running = append(f.running, runningFake{Name: "MobileIron Cloud", Prefix: "CLOUD", Server: srv})
	return nil
}
