// Command same uses each vendor's own options: it must compile.
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
	_, _ = core.NewClient("https://core.example.com", core.WithBasicAuth("u", "p"), core.WithMaxAttempts(2))
	_, _ = cloud.NewClient("https://cloud.example.com", cloud.WithBasicAuth("u", "p"), cloud.WithMaxAttempts(2))
	_, _ = mimcm.NewClient("https://cm.example.com", mimcm.WithBasicAuth("u", "p"), mimcm.WithMaxAttempts(2))
	_, _ = czertainly.NewClient("https://czertainly.example.com/api", czertainly.WithMaxAttempts(2))
	_, _ = enterpriseadmin.NewClient("https://gis.example.com/arcgis", enterpriseadmin.WithCredentials("u", "p"), enterpriseadmin.WithMaxAttempts(2))
	_, _ = adminv1.NewClient("https://czertainly1.example.com/api", adminv1.WithMaxAttempts(2))
}
