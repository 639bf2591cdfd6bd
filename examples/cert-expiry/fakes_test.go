package main

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// Without -config the tool reads every fake: certificates of all four
// come back, some expire within the default 30 days, and it says so with
// exit status 1.
func TestWithoutConfigReadsEveryFake(t *testing.T) {
	prom := filepath.Join(t.TempDir(), "certs.prom")
	code, stdout, stderr := runTool(t, t.Context(), "-format", "jsonl", "-prometheus", prom)
	if code != exitExpiring {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	systems := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var c inventory.Certificate
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		systems[c.System]++
	}
	for _, name := range []string{"core", "mimcm", "czertainly", "arcgis"} {
		if systems[name] == 0 {
			t.Errorf("no expiring certificate of %s listed (listed: %v); stderr:\n%s", name, systems, stderr)
		}
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	up := 0
	for _, s := range parseTextFormat(t, string(b)) {
		if s.name == metricUp {
			if s.value != 1 {
				t.Errorf("system %s not up", s.labels["system"])
			}
			up++
		}
	}
	if up != 4 {
		t.Errorf("%d systems in the metrics, want 4", up)
	}
}

// A config naming each fake (credentials from the environment) and one
// system nobody answers: the unreachable one is named on stderr and is
// down in the metrics; every other one is read and listed.
func TestConfigWithAnUnreachableSystem(t *testing.T) {
	cs := coretest.NewTestServer(t)
	ms := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM())
	zs := czertainlytest.NewTestServer(t)
	es := enterpriseadmintest.NewTestServer(t)
	seedExpiring(t, cs, ms, zs, es)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	t.Setenv("TEST_CORE_PASSWORD", coretest.Password)
	t.Setenv("TEST_MIM_USER", mimcmtest.Username)
	t.Setenv("TEST_MIM_PASSWORD", mimcmtest.Password)
	t.Setenv("TEST_ILM_TOKEN", czertainlytest.BearerToken)
	t.Setenv("TEST_GIS_PASSWORD", enterpriseadmintest.Password)
	config := `{"systems": [
	  {"name": "core", "vendor": "mobileiron/core", "url": "` + cs.URL + `", "username": "` + coretest.Username + `", "passwordEnv": "TEST_CORE_PASSWORD", "options": {"adminDeviceSpaceId": 1}},
	  {"name": "mim", "vendor": "mimcm", "url": "` + ms.URL + `", "usernameEnv": "TEST_MIM_USER", "passwordEnv": "TEST_MIM_PASSWORD", "options": {"auth": "ntlm"}},
	  {"name": "ilm", "vendor": "czertainly", "url": "` + zs.URL + `", "tokenEnv": "TEST_ILM_TOKEN"},
	  {"name": "gis", "vendor": "enterpriseadmin", "url": "` + es.URL + `", "username": "` + enterpriseadmintest.Username + `", "passwordEnv": "TEST_GIS_PASSWORD", "timeout": "30s"},
	  {"name": "gone", "vendor": "czertainly", "url": "` + closed + `", "tokenEnv": "TEST_ILM_TOKEN"}
	]}`
	dir := t.TempDir()
	name := filepath.Join(dir, "systems.json")
	if err := os.WriteFile(name, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	prom := filepath.Join(dir, "certs.prom")
	code, stdout, stderr := runTool(t, t.Context(), "-config", name, "-format", "csv", "-prometheus", prom)
	if code != exitExpiring {
		t.Fatalf("exit %d, want 1 (expiring certificates beside a system down); stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "cert-expiry: gone: cannot read") || !strings.Contains(stderr, "(1 could not be read)") {
		t.Errorf("stderr does not report the unreachable system:\n%s", stderr)
	}
	for _, secret := range []string{coretest.Password, mimcmtest.Password, czertainlytest.BearerToken, enterpriseadmintest.Password} {
		if strings.Contains(stderr+stdout, secret) {
			t.Errorf("a secret was printed")
		}
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(stdout, "\n")[1:] {
		if sys, _, ok := strings.Cut(line, ","); ok {
			listed[sys] = true
		}
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	up, count := map[string]float64{}, map[string]float64{}
	for _, s := range parseTextFormat(t, string(b)) {
		switch s.name {
		case metricUp:
			up[s.labels["system"]] = s.value
		case metricCertificates:
			count[s.labels["system"]] = s.value
		}
	}
	for _, sys := range []string{"core", "mim", "ilm", "gis"} {
		if up[sys] != 1 || count[sys] == 0 || !listed[sys] {
			t.Errorf("system %s: up %v, %v certificates, listed %v", sys, up[sys], count[sys], listed[sys])
		}
	}
	if v, ok := up["gone"]; !ok || v != 0 {
		t.Errorf("the unreachable system's up gauge: %v (present %v), want 0", v, ok)
	}
}

// seedExpiring gives each fake certificates expiring within 30 days, and
// more that do not.
func seedExpiring(t *testing.T, cs *coretest.Server, ms *mimcmtest.Server, zs *czertainlytest.Server, es *enterpriseadmintest.Server) {
	t.Helper()
	if err := cs.AddGeneratedCertificates("VPNCE", 2, 12*day); err != nil {
		t.Fatal(err)
	}
	if err := cs.AddGeneratedCertificates("WiFiCE", 30, 200*day); err != nil {
		t.Fatal(err)
	}
	ms.AddGeneratedProfiles(1, 1, 15*day)
	ms.AddGeneratedProfiles(3, 2, 300*day)
	if err := zs.AddGeneratedCertificates(3, 5*day); err != nil {
		t.Fatal(err)
	}
	if err := zs.AddGeneratedCertificates(20, 365*day); err != nil {
		t.Fatal(err)
	}
	if err := es.AddGeneratedCertificates(enterpriseadmin.CertificateTypeIdentity, 1, 21*day); err != nil {
		t.Fatal(err)
	}
	if err := es.AddGeneratedCertificates(enterpriseadmin.CertificateTypeTrust, 5, 3000*day); err != nil {
		t.Fatal(err)
	}
}
