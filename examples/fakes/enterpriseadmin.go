package main

import (
	"fmt"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// arcgisTokenLifetime is how long ARCGIS_TOKEN stays valid.
const arcgisTokenLifetime = 24 * time.Hour

// startArcGIS starts ArcGIS Enterprise's fake.
func startArcGIS(f *fakes, cfg config) error {
	var arcgisOpts []enterpriseadmintest.Option
	if cfg.TLS {
		arcgisOpts = append(arcgisOpts, enterpriseadmintest.WithTLS())
	}
	srv, err := enterpriseadmintest.NewServer(arcgisOpts...)
	if err != nil {
		return fmt.Errorf("ArcGIS Enterprise fake: %w", err)
	}
	f.closers = append(f.closers, srv.Close)
	f.set("ARCGIS_URL", srv.URL)
	f.set("ARCGIS_USER", srv.Username)
	f.set("ARCGIS_PASSWORD", srv.Password)
	f.set("ARCGIS_TOKEN_URL", serverRoot(srv.URL)+srv.GenerateTokenPath())
	f.set("ARCGIS_TOKEN", srv.IssueToken("", arcgisTokenLifetime))
	if err := f.caFile("ARCGIS", srv.Certificate()); err != nil {
		return err
	}
	f.running = append(f.running, runningFake{Name: "ArcGIS Enterprise", Prefix: "ARCGIS", Server: srv})
	return nil
}
