package redact_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

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

// TestStringMasksEncodedSecrets: a server may echo a secret escaped for
// the format it answers in; each form must come out as the mask.
func TestStringMasksEncodedSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, secret, echoed string
	}{
		{"plain", "Adm1n&<Pass>", `Adm1n&<Pass>`},
		{"json go", "Adm1n&<Pass>", `Adm1n\u0026\u003cPass\u003e`},
		{"json go quote backslash", `a"b\c/d`, `a\"b\\c/d`},
		{"json slash", `a"b\c/d`, `a\"b\\c\/d`},
		{"json newline tab", "line1\nline2\tx", `line1\nline2\tx`},
		{"json dotnet upper hex", "Adm1n&<Pass>", `Adm1n\u0026\u003CPass\u003E`},
		{"json dotnet quote apostrophe plus", `it's+"ok"`, `it\u0027s\u002B\u0022ok\u0022`},
		{"json gson", "a=b'c<d", `a\u003db\u0027c\u003cd`},
		{"json json.net escape html", `<it's "ok">`, `\u003cit\u0027s \u0022ok\u0022\u003e`},
		{"json dotnet all ranges", "pä<+", `pä\u003C\u002B`},
		{"json non-ascii lower", "pässwörd", `p\u00e4ssw\u00f6rd`},
		{"json non-ascii lower plain slash", "pä/ss", `p\u00e4/ss`},
		{"json non-ascii upper", "pässwörd", `p\u00E4ssw\u00F6rd`},
		{"json non-ascii surrogates", "key🔑x", `key\ud83d\udd11x`},
		{"json php slash non-ascii", "pä/ss", `p\u00e4\/ss`},
		{"json slash keeps non-ascii", "pä/ss", `pä\/ss`},
		{"html go", `Adm1n&<Pass>"'`, `Adm1n&amp;&lt;Pass&gt;&#34;&#39;`},
		{"html named", `it's "ok"`, `it&#x27;s &quot;ok&quot;`},
		{"html xml", `it's`, `it&apos;s`},
		{"html php", `it's "ok"`, `it&#39;s &quot;ok&quot;`},
		{"html text only", `a<b>&"c'`, `a&lt;b&gt;&amp;"c'`},
		{"query escape", "p@ss/w rd", `p%40ss%2Fw+rd`},
		{"query escape lower hex", "p@ss/w rd", `p%40ss%2fw+rd`},
		{"path escape", "p@ss/w rd", `p@ss%2Fw%20rd`},
		{"path escape lower hex", "p@ss/w rd", `p@ss%2fw%20rd`},
		{"percent every reserved", "p@ss w(rd)!", `p%40ss%20w%28rd%29%21`},
		{"encodeURIComponent", "p@ss w(rd)!", `p%40ss%20w(rd)!`},
		{"url non-ascii lower hex", "pässwörd", `p%c3%a4ssw%c3%b6rd`},
		{"base64 std", "s3cr3t??>x", `czNjcjN0Pz8+eA==`},
		{"base64 url", "s3cr3t??>x", `czNjcjN0Pz8-eA==`},
		{"base64 raw std", "s3cr3t??>x", `czNjcjN0Pz8+eA`},
		{"base64 raw url", "s3cr3t??>x", `czNjcjN0Pz8-eA`},
		{"base64 no padding needed", "Adm1n&<Pass>", `QWRtMW4mPFBhc3M+`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"message":"login of admin with ` + tc.echoed + ` failed"}`
			want := `{"message":"login of admin with ` + redact.Mask + ` failed"}`
			if got := redact.String(in, tc.secret); got != want {
				t.Fatalf("String(%q, %q)\n got %q\nwant %q", in, tc.secret, got, want)
			}
		})
	}
}

func TestStringLiteralSecretRules(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"shorter than 3 bytes is not masked", "pin 42 of 420", []string{"42"}, "pin 42 of 420"},
		{"3 bytes is masked", "pin 421 of 4210", []string{"421"}, "pin REDACTED of REDACTED0"},
		{"a secret that holds another is masked whole", "pw hunter2 and hunter", []string{"hunter", "hunter2"}, "pw REDACTED and REDACTED"},
		{"order of secrets does not matter", "pw hunter2 and hunter", []string{"hunter2", "hunter"}, "pw REDACTED and REDACTED"},
		{"a padded form is masked whole", "header czNjcjN0Pz8-eA== end", []string{"s3cr3t??>x"}, "header REDACTED end"},
		{"several forms of one secret", `a&b a\u0026b a&amp;b a%26b`, []string{"a&b"}, "REDACTED REDACTED REDACTED REDACTED"},
		{"a secret of no letters or digits", `&<> \u0026\u003c\u003e`, []string{"&<>"}, "REDACTED REDACTED"},
		{"no secret present", "nothing to hide here", []string{"hunter2", "Adm1n&<Pass>"}, "nothing to hide here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.String(tc.in, tc.secrets...); got != tc.want {
				t.Fatalf("String(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
			}
		})
	}
}

// encodings are the ways FuzzString inserts a secret. They are written
// here with the standard library, or by hand, apart from the package's own.
var encodings = map[string]func(string) string{
	"plain": func(s string) string { return s },
	"json": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	},
	"json no html escape": func(s string) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		b := bytes.TrimSpace(buf.Bytes())
		return string(b[1 : len(b)-1])
	},
	"json dotnet": dotnetJSON,
	"html":        html.EscapeString,
	"query":       url.QueryEscape,
	"query lower": func(s string) string { return lowerPercent(url.QueryEscape(s)) },
	"path":        url.PathEscape,
	"path lower":  func(s string) string { return lowerPercent(url.PathEscape(s)) },
	"base64 std":  func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"base64 url":  func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) },
	"base64 raw":  func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) },
	"base64 raw url": func(s string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(s))
	},
}

var percentEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

func lowerPercent(s string) string { return percentEscape.ReplaceAllStringFunc(s, strings.ToLower) }

// dotnetJSON escapes as System.Text.Json's default encoder: only printable
// ASCII that is not HTML-sensitive stays; the rest is \uXXXX, upper case.
func dotnetJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r < 0x7f && !strings.ContainsRune("\"&'+<>`", r):
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return b.String()
}

// survives reports whether got holds enc outside every mask. Masking can
// put a mask next to text that, with the mask's own letters, spells enc
// again ("REDACTED" + "ab" holds "Dab"): that is no leak.
func survives(got, enc string) bool {
	var masks [][2]int
	for i := 0; ; {
		j := strings.Index(got[i:], redact.Mask)
		if j < 0 {
			break
		}
		masks = append(masks, [2]int{i + j, i + j + len(redact.Mask)})
		i += j + 1
	}
	for i := 0; ; {
		j := strings.Index(got[i:], enc)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(enc)
		if !slices.ContainsFunc(masks, func(m [2]int) bool { return m[0] < end && start < m[1] }) {
			return true
		}
		i = start + 1
	}
}

func FuzzString(f *testing.F) {
	f.Add(`{"message":"bad password","code":401}`, "Adm1n&<Pass>", uint(20))
	f.Add("token=abc&b=c", "pä/ss wörd+'\"", uint(6))
	f.Add("Bearer\tabcdefgh", "er ", uint(15)) // the scheme rule must keep the tab, not write "er "
	f.Add("REDACTED", "Dab", uint(8))
	f.Add("", "line1\nline2\u2028🔑", uint(0))
	f.Fuzz(func(t *testing.T, text, secret string, at uint) {
		if len(secret) < 3 {
			return
		}
		pos := int(at % uint(len(text)+1))
		for name, encode := range encodings {
			enc := encode(secret)
			in := text[:pos] + enc + text[pos:]
			if got := redact.String(in, secret); survives(got, enc) {
				t.Fatalf("%s form %q of secret %q survived in %q (from %q)", name, enc, secret, got, in)
			}
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
