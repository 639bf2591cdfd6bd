package enterpriseadmin_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func TestGetSAMLSecurity(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	for _, tc := range []struct {
		config string
		want   enterpriseadmin.SAMLSecurity
	}{
		{enterpriseadmintest.SampleSAMLConfig, enterpriseadmin.SAMLSecurity{Enabled: true, IdentityCertificateName: "samlcert"}},
		{`{"enabled":true,"identityCertificateName":"idp-sign","entityId":"x"}`,
			enterpriseadmin.SAMLSecurity{Enabled: true, IdentityCertificateName: "idp-sign", Other: map[string]json.RawMessage{"entityId": json.RawMessage(`"x"`)}}},
		{`{"enabled":false}`, enterpriseadmin.SAMLSecurity{}},
	} {
		if err := srv.SetSAMLConfig([]byte(tc.config)); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetSAMLSecurity(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, *got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.config, diff)
		}
	}
}
