package redact_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/redact"
)

func TestURLMasksUserinfoAndSecretQueryValues(t *testing.T) {
	u, _ := url.Parse("https://admin:pw@host/api?token=abc123&rows=5&Password=x&accounts%5B0%5D.password=y")
	got := redact.URL(u)
	for _, leak := range []string{"abc123", "pw@", "Password=x", ".password=y"} {
		if strings.Contains(got, leak) {
			t.Fatalf("%q leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, "rows=5") {
		t.Fatalf("%q lost a harmless parameter", got)
	}
}

func TestQueryMasksFormBodies(t *testing.T) {
	got := redact.Query("username=bob&password=hunter2&confirmPassword=hunter2&f=json")
	if want := "username=bob&password=REDACTED&confirmPassword=REDACTED&f=json"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestHeaderMasksCredentials(t *testing.T) {
	h := http.Header{"Authorization": {"Basic abc"}, "Cookie": {"JSESSIONID=1"}, "X-Esri-Authorization": {"Bearer t"}, "Accept": {"application/json"}}
	got := redact.Header(h)
	if got.Get("Authorization") != redact.Mask || got.Get("Cookie") != redact.Mask || got.Get("X-Esri-Authorization") != redact.Mask || got.Get("Accept") != "application/json" {
		t.Fatalf("got %v", got)
	}
	if h.Get("Authorization") != "Basic abc" {
		t.Fatal("the original header was changed")
	}
}

func TestStringMasksSecretsInText(t *testing.T) {
	in := `{"password":"p1","confirmPassword":"p\"2","name":"bob"} token=t0k3n Authorization: Bearer abcdef123456 extra-secret`
	got := redact.String(in, "extra-secret")
	for _, leak := range []string{`"p1"`, `p\"2`, "t0k3n", "abcdef123456", "extra-secret"} {
		if strings.Contains(got, leak) {
			t.Fatalf("%q leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, `"name":"bob"`) {
		t.Fatalf("%q lost harmless text", got)
	}
}

func FuzzString(f *testing.F) {
	f.Add(`{"password":"x"}`, "x")
	f.Add("token=abc&b=c", "abc")
	f.Fuzz(func(t *testing.T, text, secret string) {
		got := redact.String(text, secret)
		if len(secret) >= 3 && !strings.Contains(redact.Mask, secret) && strings.Contains(got, secret) && !strings.Contains(text, redact.Mask) {
			t.Fatalf("secret %q survived in %q", secret, got)
		}
	})
}

// benchText is an error answer that names no secret: what String sees on
// almost every call.
func benchText(n int) string {
	const unit = `{"error":{"code":"InvalidRequest","message":"The request is invalid: field 'subject' must not be empty (see https://example.com/docs?topic=subject&lang=en)","target":"subject"}}` + "\n"
	return strings.Repeat(unit, n/len(unit)+1)[:n]
}

func BenchmarkString(b *testing.B) {
	secrets := []string{"S3cr3t-Passw0rd!", "tkn-9f8e7d6c5b4a", "YWRtaW46UzNjcjN0LVBhc3N3MHJkIQ=="}
	for _, n := range []int{120, 1024, 5120} {
		text := benchText(n)
		b.Run(strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if got := redact.String(text, secrets...); len(got) != len(text) {
					b.Fatalf("String changed text without secrets: %q", got)
				}
			}
		})
	}
}
