// Command mixed passes options of one vendor to another vendor's client;
// every marked line must be refused by the compiler.
package main

import (
	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

func main() {
	_, _ = core.NewClient("https://core.example.com", enterpriseadmin.WithCredentials("u", "p"))     // want refused
	_, _ = core.NewClient("https://core.example.com", cloud.WithBasicAuth("u", "p"))                 // want refused
	_, _ = cloud.NewClient("https://cloud.example.com", core.WithMaxAttempts(2))                     // want refused
	_, _ = mimcm.NewClient("https://cm.example.com", czertainly.WithMaxAttempts(2))                  // want refused
	_, _ = czertainly.NewClient("https://czertainly.example.com/api", mimcm.WithBasicAuth("u", "p")) // want refused
	_, _ = enterpriseadmin.NewClient("https://gis.example.com/arcgis", core.WithBasicAuth("u", "p")) // want refused
	_, _ = adminv1.NewClient("https://czertainly1.example.com/api", czertainly.WithMaxAttempts(2))   // want refused
}
