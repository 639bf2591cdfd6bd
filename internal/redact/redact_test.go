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

// TestQueryJudgesNamesAsTheServerReadsThem: a name with percent-escaped
// letters is the same parameter to the server, so its value is masked too.
func TestQueryJudgesNamesAsTheServerReadsThem(t *testing.T) {
	got := redact.Query("p%61ssword=hunter2&%70in=1234&rows=5&bad%zz=1")
	if want := "p%61ssword=REDACTED&%70in=REDACTED&rows=5&bad%zz=1"; got != want {
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

// TestHeaderShowsOnlyAllowedHeaders: Header is an allow-list. A header it
// does not know, a vendor's credential header among them, is masked.
func TestHeaderShowsOnlyAllowedHeaders(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    http.Header
		extra []string
		want  http.Header
	}{
		{"allowed headers keep their values", http.Header{
			"Accept": {"application/json"}, "Content-Type": {"text/plain"}, "Content-Length": {"12"},
			"Date": {"Tue, 01 Jan 2030 00:00:00 GMT"}, "Etag": {`"v1"`}, "Retry-After": {"3"},
			"Server": {"nginx"}, "User-Agent": {"certadmin-go"}, "X-Request-Id": {"r-1"},
			"Traceparent": {"00-abc-def-01"}, "Www-Authenticate": {`Bearer realm="api"`},
		}, nil, http.Header{
			"Accept": {"application/json"}, "Content-Type": {"text/plain"}, "Content-Length": {"12"},
			"Date": {"Tue, 01 Jan 2030 00:00:00 GMT"}, "Etag": {`"v1"`}, "Retry-After": {"3"},
			"Server": {"nginx"}, "User-Agent": {"certadmin-go"}, "X-Request-Id": {"r-1"},
			"Traceparent": {"00-abc-def-01"}, "Www-Authenticate": {`Bearer realm="api"`},
		}},
		{"credential headers are masked", http.Header{
			"X-Api-Key": {"k"}, "X-Auth-Token": {"t"}, "Set-Cookie": {"a=1", "b=2"}, "Proxy-Authorization": {"Basic x"},
		}, nil, http.Header{
			"X-Api-Key": {"REDACTED"}, "X-Auth-Token": {"REDACTED"}, "Set-Cookie": {"REDACTED", "REDACTED"}, "Proxy-Authorization": {"REDACTED"},
		}},
		{"unknown headers are masked", http.Header{"X-Vendor-Session": {"s"}, "Referer": {"https://h/?code=1"}},
			nil, http.Header{"X-Vendor-Session": {"REDACTED"}, "Referer": {"REDACTED"}}},
		{"names in any case", http.Header{"x-request-id": {"r-2"}, "content-type": {"a/b"}},
			nil, http.Header{"x-request-id": {"r-2"}, "content-type": {"a/b"}}},
		{"location keeps its URL without secrets", http.Header{"Location": {"https://u:pw@h/next?token=t0k&page=2"}, "Content-Location": {"/a?b=1"}},
			nil, http.Header{"Location": {"https://REDACTED@h/next?token=REDACTED&page=2"}, "Content-Location": {"/a?b=1"}}},
		{"more allowed names", http.Header{"X-Vendor-Trace": {"v-1"}, "X-Other": {"o"}},
			[]string{"x-vendor-trace"}, http.Header{"X-Vendor-Trace": {"v-1"}, "X-Other": {"REDACTED"}}},
		{"an allowed secret name stays masked", http.Header{"X-Api-Key": {"k"}},
			[]string{"X-Api-Key"}, http.Header{"X-Api-Key": {"REDACTED"}}},
		{"nil", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in.Clone()
			got := redact.HeaderWith(tc.in, tc.extra...)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("HeaderWith(%v, %q)\n got %v\nwant %v", tc.in, tc.extra, got, tc.want)
			}
			for _, vs := range got {
				for i := range vs {
					vs[i] = "changed"
				}
			}
			if fmt.Sprint(tc.in) != fmt.Sprint(in) {
				t.Fatalf("the original header was changed to %v", tc.in)
			}
			if tc.extra == nil && fmt.Sprint(redact.Header(tc.in)) != fmt.Sprint(tc.want) {
				t.Fatal("Header and HeaderWith without extra names differ")
			}
		})
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

// benchText is unit repeated to n bytes: an error answer that holds none
// of the secrets, what String sees on almost every call.
func benchText(unit string, n int) string {
	return strings.Repeat(unit, n/len(unit)+1)[:n]
}

// TestStringDoesNotAllocateWithoutSecrets: String runs on every error, and
// text that holds none of the secrets, named or given, comes back as it was.
func TestStringDoesNotAllocateWithoutSecrets(t *testing.T) {
	secrets := []string{"S3cr3t-Passw0rd!", "tkn-9f8e7d6c5b4a", "Adm1n&<Pass>"}
	for _, text := range []string{
		`{"error":{"code":"InvalidRequest","message":"field 'subject' must not be empty"}}`,
		`{"error":"The token is invalid or the password has expired; renew the token"}`,
	} {
		redact.String(text, secrets...) // compute the forms of the secrets once
		if n := testing.AllocsPerRun(100, func() { redact.String(text, secrets...) }); n != 0 {
			t.Errorf("String allocates %v times on %q", n, text)
		}
	}
}

func BenchmarkString(b *testing.B) {
	secrets := []string{"S3cr3t-Passw0rd!", "tkn-9f8e7d6c5b4a", "YWRtaW46UzNjcjN0LVBhc3N3MHJkIQ=="}
	const (
		plain = `{"error":{"code":"InvalidRequest","message":"The request is invalid: field 'subject' must not be empty (see https://example.com/docs?topic=subject&lang=en)","target":"subject"}}` + "\n"
		// Names a secret in prose, so the rules are tried where it stands.
		naming = `{"error":{"code":"InvalidToken","message":"The token is invalid or the password has expired; renew the token","target":"subject"}}` + "\n"
	)
	for _, tc := range []struct {
		name string
		unit string
		n    int
	}{{"none", plain, 120}, {"none", plain, 1024}, {"none", plain, 5120}, {"naming", naming, 5120}} {
		text := benchText(tc.unit, tc.n)
		b.Run(tc.name+"/"+strconv.Itoa(tc.n)+"B", func(b *testing.B) {
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

// TestStringMasksNamedSecrets: values after a secret name are masked in
// JSON members, key=value pairs and "Name: value" lines; names that only
// start with or contain a secret name are left alone.
func TestStringMasksNamedSecrets(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		// JSON members: string, number, true, false and null values.
		{"json pwd", `{"pwd":"x1","user":"bob"}`, `{"pwd":"REDACTED","user":"bob"}`},
		{"json passwd", `{"passwd": "x1"}`, `{"passwd": "REDACTED"}`},
		{"json apiKey", `{"apiKey":"k-123"}`, `{"apiKey":"REDACTED"}`},
		{"json clientSecret", `{"clientSecret":"s"}`, `{"clientSecret":"REDACTED"}`},
		{"json client_secret", `{"client_secret":"s"}`, `{"client_secret":"REDACTED"}`},
		{"json numeric pin", `{"pin": 918273, "n": 1}`, `{"pin": REDACTED, "n": 1}`},
		{"json negative float", `{"pin":-12.5e3}`, `{"pin":REDACTED}`},
		{"json true", `{"secret":true}`, `{"secret":REDACTED}`},
		{"json null", `{"password" : null}`, `{"password" : REDACTED}`},
		{"json header name", `{"X-Api-Key":"k","X-Auth-Token":"t"}`, `{"X-Api-Key":"REDACTED","X-Auth-Token":"REDACTED"}`},
		{"json suffix", `{"newPassword":"a","access_token":"b","csrfToken":"c"}`, `{"newPassword":"REDACTED","access_token":"REDACTED","csrfToken":"REDACTED"}`},
		{"json indexed", `{"accounts[0].password":"a"}`, `{"accounts[0].password":"REDACTED"}`},
		{"json escaped quote", `{"password":"a\"b","x":1}`, `{"password":"REDACTED","x":1}`},
		{"json white space of every kind", "{\"token\"\f\t\r\n: \"abc\"}", "{\"token\"\f\t\r\n: \"REDACTED\"}"},
		{"json multi-line", "{\n  \"token\":\n    \"abc\"\n}", "{\n  \"token\":\n    \"REDACTED\"\n}"},
		{"json private key", `{"privateKey":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"}`, `{"privateKey":"REDACTED"}`},
		// Names that are not secrets, though they hold a secret name.
		{"json tokenExpiration", `{"tokenExpiration":3600,"token_type":"bearer"}`, `{"tokenExpiration":3600,"token_type":"bearer"}`},
		{"json pinned spinner", `{"pinned":true,"spinner":"x","pins":[1]}`, `{"pinned":true,"spinner":"x","pins":[1]}`},
		{"json passwordNeverExpire", `{"passwordNeverExpire":true,"expires":"2030-01-01"}`, `{"passwordNeverExpire":true,"expires":"2030-01-01"}`},
		{"json secretName", `{"secretName":"db","tokens":["a"]}`, `{"secretName":"db","tokens":["a"]}`},
		{"json name in a value", `{"message":"the password is wrong","pin":"1"}`, `{"message":"the password is wrong","pin":"REDACTED"}`},
		{"json value like a name", `{"field":"password","other":"x"}`, `{"field":"password","other":"x"}`},
		// A flag whose name ends in a secret name: its value is masked too,
		// which hides no more than whether a password is set.
		{"json hasPassword", `{"hasPassword":true}`, `{"hasPassword":REDACTED}`},

		// key=value pairs: forms, queries, cookies.
		{"form pwd", "user=bob&pwd=x1&f=json", "user=bob&pwd=REDACTED&f=json"},
		{"form pin", "pin=1234&n=1", "pin=REDACTED&n=1"},
		{"form apikey", "apikey=abc&n=1", "apikey=REDACTED&n=1"},
		{"form client_secret", "grant_type=client_credentials&client_secret=s3&client_id=app", "grant_type=client_credentials&client_secret=REDACTED&client_id=app"},
		{"form indexed", "accounts%5B0%5D.password=y&z=1", "accounts%5B0%5D.password=REDACTED&z=1"},
		{"cookie", "sent JSESSIONID=abc123; Path=/", "sent JSESSIONID=REDACTED Path=/"},
		{"form not secrets", "pinned=true&spinner=1&expires=3600&tokenExpiration=3600&x-pin=3", "pinned=true&spinner=1&expires=3600&tokenExpiration=3600&x-pin=3"},

		// Header lines and "name: value" text.
		{"header X-Api-Key", "X-Api-Key: abc123\r\nAccept: application/json", "X-Api-Key: REDACTED\r\nAccept: application/json"},
		{"header X-Auth-Token", "X-Auth-Token:abc123\nX-Request-Id: 42", "X-Auth-Token:REDACTED\nX-Request-Id: 42"},
		{"header cookie whole line", "Cookie: a=1; sid=2\nHost: h", "Cookie: REDACTED\nHost: h"},
		{"header authorization", "Authorization: Bearer abcdef123456", "Authorization: REDACTED"},
		{"header in a JSON string", `{"message":"sent X-Api-Key: abc123"}`, `{"message":"sent X-Api-Key: REDACTED"}`},
		{"header escaped line end", `{"dump":"X-Api-Key: abc\r\nAccept: */*"}`, `{"dump":"X-Api-Key: REDACTED\r\nAccept: */*"}`},
		{"yaml quoted", `password: "a b" # set`, `password: REDACTED # set`},
		{"header not secrets", "Expires: Tue, 01 Jan 2030\ntokenExpiration: 3600", "Expires: Tue, 01 Jan 2030\ntokenExpiration: 3600"},
		// A message of the form "token: reason" loses its reason: the
		// rule cannot tell a reason from a token.
		{"message over-masked", "invalid token: signature expired", "invalid token: REDACTED"},

		// Authorization schemes anywhere.
		{"bearer in prose", "sent Bearer abcdef123456 to the server", "sent Bearer REDACTED to the server"},
		{"basic keeps its white space", "Basic\tYWRtaW46cHc=", "Basic\tREDACTED"},
		{"scheme word inside a word", "basically fine, ntlmish", "basically fine, ntlmish"},
		{"scheme word ending a word", "CustomBearer abcdef123456", "CustomBearer abcdef123456"},

		{"nothing to mask", "plain text about tokens, pins and spinners", "plain text about tokens, pins and spinners"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.String(tc.in); got != tc.want {
				t.Fatalf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestEveryPathAgreesWithIsSecretName: the rules for queries, JSON
// members, key=value pairs and header lines all judge a name as
// IsSecretName does.
func TestEveryPathAgreesWithIsSecretName(t *testing.T) {
	const value = "v4lue9"
	for _, tc := range []struct {
		name   string
		secret bool
	}{
		{"password", true}, {"PASSWORD", true}, {"newPassword", true}, {"confirm_password", true},
		{"p_a-s_s-word", true}, {"passwd", true}, {"pwd", true}, {"userPwd", true}, {"passphrase", true},
		{"token", true}, {"access_token", true}, {"X-Auth-Token", true}, {"id-token", true},
		{"secret", true}, {"client_secret", true}, {"clientSecret", true}, {"aws_secret_key", true},
		{"apikey", true}, {"apiKey", true}, {"X-Api-Key", true}, {"api_key", true}, {"privateKey", true},
		{"Authorization", true}, {"Proxy-Authorization", true}, {"X-Esri-Authorization", true},
		{"Cookie", true}, {"Set-Cookie", true}, {"pin", true}, {"PIN", true}, {"regPin", true},
		{"jsessionid", true}, {"JSESSIONID", true}, {"csrf_nonce", true}, {"accounts[0].password", true},
		{"device.pin", true}, {"items[0].jsessionid", true}, {"pin.hint", false},
		{"user", false}, {"username", false}, {"tokenExpiration", false}, {"token_type", false},
		{"pinned", false}, {"spinner", false}, {"x-pin", false}, {"pins", false}, {"passwordNeverExpire", false},
		{"expires", false}, {"secretName", false}, {"tokens", false}, {"keyId", false}, {"authorizationUrl", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.IsSecretName(tc.name); got != tc.secret {
				t.Fatalf("IsSecretName(%q) = %v, want %v", tc.name, got, tc.secret)
			}
			for _, text := range []string{
				redact.Query(tc.name + "=" + value),
				redact.String(`{"` + tc.name + `":"` + value + `"}`),
				redact.String(`{"` + tc.name + `": 123456}`),
				redact.String("a=1&" + tc.name + "=" + value),
				redact.String(tc.name + ": " + value),
				redact.String("x\n" + tc.name + ":" + value + "\ny"),
			} {
				masked := strings.Contains(text, redact.Mask)
				if masked != tc.secret {
					t.Errorf("masked = %v in %q, want %v", masked, text, tc.secret)
				}
			}
		})
	}
}
