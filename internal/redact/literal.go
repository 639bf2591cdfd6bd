package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// minSecretLen is the shortest literal secret String masks, in bytes. A
// shorter one (a two-digit PIN, say) would match too much ordinary text;
// such a value is still masked where a secret name stands before it.
const minSecretLen = 3

// literal is one secret with every form String looks for, computed once.
type literal struct {
	// run is the longest run of ASCII letters and digits in the secret.
	// No text form escapes those, so each form contains run: text that
	// lacks it holds none of them. Empty when the secret has no such run.
	run  string
	text []string // the plain form first, then the escaped ones; all distinct
	// b64 pairs each raw (unpadded) base64 form with its padded form. A
	// padded form starts with its raw one, so text without the raw form
	// holds neither.
	b64 [][2]string
}

// forms returns the distinct forms of secret String masks: plain,
// JSON-escaped, HTML-escaped, URL-encoded and base64. The plain form is
// first; none repeats.
func (l *literal) forms() []string {
	out := slices.Clone(l.text)
	for _, p := range l.b64 {
		out = appendNew(out, p[0], p[1])
	}
	return out
}

func newLiteral(secret string) *literal {
	l := &literal{run: longestAlnumRun(secret), text: []string{secret}}
	if !unescaped(secret) {
		l.text = appendNew(l.text, jsonForms(secret)...)
		l.text = appendNew(l.text, htmlForms(secret)...)
		l.text = appendNew(l.text, urlForms(secret)...)
	}
	b := []byte(secret)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		padded := enc.EncodeToString(b)
		raw := padded[:base64.RawStdEncoding.EncodedLen(len(b))] // shares padded's bytes
		if !slices.ContainsFunc(l.b64, func(p [2]string) bool { return p[0] == raw }) {
			l.b64 = append(l.b64, [2]string{raw, padded})
		}
	}
	return l
}

// unescaped reports whether every encoder String knows of writes s as it
// is: ASCII letters, digits and "-._~" (a JWT, a hex or base64url key).
// Such a secret has only its plain and base64 forms.
func unescaped(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isASCIIAlnum(c) && c != '-' && c != '.' && c != '_' && c != '~' {
			return false
		}
	}
	return true
}

// appendFound appends the forms of l that occur in s.
func (l *literal) appendFound(found []string, s string) []string {
	if l.run == "" || strings.Contains(s, l.run) {
		for _, f := range l.text {
			if strings.Contains(s, f) {
				found = append(found, f)
			}
		}
	}
	for _, p := range l.b64 {
		if strings.Contains(s, p[0]) {
			found = append(found, p[0])
			if p[1] != p[0] && strings.Contains(s, p[1]) {
				found = append(found, p[1])
			}
		}
	}
	return found
}

// maskLiterals replaces every form of every secret in s with Mask. Longer
// forms go first, so a form that contains another (a secret that contains
// another secret) is masked whole rather than leaving its rest showing.
func maskLiterals(s string, secrets []string) string {
	var found []string
	for _, sec := range secrets {
		if len(sec) >= minSecretLen {
			found = literalFor(sec).appendFound(found, s)
		}
	}
	if len(found) == 0 {
		return s
	}
	slices.SortStableFunc(found, func(a, b string) int { return len(b) - len(a) })
	for _, f := range found {
		s = strings.ReplaceAll(s, f, Mask)
	}
	return s
}

// maxLiterals bounds the cache of computed forms. Callers pass the same
// secrets (a password, the tokens a client sent lately) on every call, so
// the cache holds them all, for many clients at once; past the bound an
// arbitrary entry makes room. A token of 1.5 KB takes about 5.5 KB here.
const maxLiterals = 1024

var literals struct {
	sync.Mutex
	m map[string]*literal
}

// literalFor returns the forms of secret, computing them on first use.
func literalFor(secret string) *literal {
	literals.Lock()
	l := literals.m[secret]
	literals.Unlock()
	if l != nil {
		return l
	}
	// A clone, so the cache does not keep alive a larger string the
	// secret was cut from.
	secret = strings.Clone(secret)
	l = newLiteral(secret)
	literals.Lock()
	defer literals.Unlock()
	if literals.m == nil {
		literals.m = make(map[string]*literal)
	}
	if len(literals.m) >= maxLiterals {
		for k := range literals.m { // an arbitrary entry
			delete(literals.m, k)
			break
		}
	}
	literals.m[secret] = l
	return l
}

func appendNew(list []string, forms ...string) []string {
	for _, f := range forms {
		if !slices.Contains(list, f) {
			list = append(list, f)
		}
	}
	return list
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func longestAlnumRun(s string) string {
	best := ""
	for i := 0; i < len(s); {
		if !isASCIIAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isASCIIAlnum(s[j]) {
			j++
		}
		if j-i > len(best) {
			best = s[i:j]
		}
		i = j
	}
	return best
}

// jsonStyle is how one family of JSON encoders writes a string.
type jsonStyle struct {
	upper    bool   // hex digits of \u escapes in upper case
	slash    bool   // '/' as \/
	nonASCII bool   // every non-ASCII character as \u escapes (UTF-16)
	escape   string // ASCII characters written as \u00XX; '"' here means \u0022 rather than \"
}

// jsonStyles are the encoders whose output String recognises besides Go's
// own (computed with encoding/json, with and without HTML escaping).
var jsonStyles = []jsonStyle{
	{slash: true},                 // the minimal escapes plus \/ (json-simple and other Java encoders)
	{nonASCII: true},              // Python's json.dumps, Jackson with ESCAPE_NON_ASCII
	{slash: true, nonASCII: true}, // PHP's json_encode
	{escape: "&'<>="},             // Gson
	{escape: "\"&'<>"},            // Json.NET with StringEscapeHandling.EscapeHtml
	{upper: true, nonASCII: true, escape: "\"&'+<>`\x7f"}, // .NET System.Text.Json, JavaScriptEncoder.Default
	{upper: true, escape: "\"&'+<>`\x7f"},                 // .NET with UnicodeRanges.All
}

func jsonForms(s string) []string {
	var out []string
	for _, escapeHTML := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(s) == nil { // a string always encodes
			b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			out = append(out, string(b[1:len(b)-1]))
		}
	}
	for _, st := range jsonStyles {
		out = append(out, st.quote(s))
	}
	return out
}

// quote returns s as the inside of a JSON string written in style st.
func (st jsonStyle) quote(s string) string {
	hex := "0123456789abcdef"
	if st.upper {
		hex = "0123456789ABCDEF"
	}
	var b strings.Builder
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[r>>shift&0xf])
		}
	}
	for _, r := range s { // an invalid byte comes as utf8.RuneError and is written as \ufffd, as encoders do
		switch {
		case r < utf8.RuneSelf && strings.ContainsRune(st.escape, r):
			u(r)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/' && st.slash:
			b.WriteString(`\/`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			u(r)
		case r >= utf8.RuneSelf && st.nonASCII:
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				u(r1)
				u(r2)
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var htmlStyles = []*strings.Replacer{
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;"), // Python's html.escape
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;"), // XML
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;"),  // PHP's htmlspecialchars
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;"),                               // text content only
}

func htmlForms(s string) []string {
	out := []string{html.EscapeString(s)} // &#34; and &#39;, as html/template too
	for _, r := range htmlStyles {
		out = append(out, r.Replace(s))
	}
	return out
}

func urlForms(s string) []string {
	q := url.QueryEscape(s)
	forms := []string{
		q,                                 // form encoding: '+' for a space
		strings.ReplaceAll(q, "+", "%20"), // RFC 3986, every reserved character escaped
		url.PathEscape(s),
		encodeURIComponent(s),
	}
	out := slices.Clone(forms)
	for _, f := range forms {
		out = append(out, lowerHex(f))
	}
	return out
}

// encodeURIComponent escapes s as JavaScript's function of that name does.
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIIAlnum(c) || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// lowerHex writes the hex digits of each %XX escape in s in lower case.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if 'A' <= b[j] && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}
