// Package redact removes credentials from the URLs, headers, form bodies and
// messages that errors and logs carry. Every error and log line in
// certadmin-go passes through it, so there is one list of secret names.
package redact

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces a secret value.
const Mask = "REDACTED"

// secretNames are parameter, field and header names whose values are never shown.
// Matching is case-insensitive and ignores '-' and '_'.
var secretNames = []string{
	"password", "confirmpassword", "newpassword", "oldpassword", "passwd", "pwd",
	"token", "accesstoken", "refreshtoken", "idtoken", "apikey", "secret", "clientsecret",
	"authorization", "proxyauthorization", "cookie", "setcookie", "xesriauthorization",
	"pin", "regpin", "passphrase", "jsessionid", "csrfnonce",
}

func normalize(name string) string {
	name = strings.ToLower(name)
	name = strings.NewReplacer("-", "", "_", "").Replace(name)
	// Indexed form keys such as accounts[0].password: judge the last segment.
	if i := strings.LastIndexAny(name, ".]"); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// IsSecretName reports whether a parameter, field or header of this name
// carries a credential.
func IsSecretName(name string) bool {
	n := normalize(name)
	for _, s := range secretNames {
		if n == s {
			return true
		}
	}
	return false
}

// URL returns u as a string with userinfo and secret query values masked.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Mask)
	}
	if c.RawQuery != "" {
		c.RawQuery = Query(c.RawQuery)
	}
	return c.String()
}

// URLString redacts a URL given as text; unparsable text is redacted as a message.
func URLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return String(s)
	}
	return URL(u)
}

// Query masks the values of secret keys in an encoded query or form body,
// keeping every other byte as it was.
func Query(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, found := strings.Cut(p, "=")
		if !found {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if IsSecretName(name) {
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

// Header returns a copy of h with secret header values masked.
func Header(h http.Header) http.Header {
	out := h.Clone()
	for k := range out {
		if IsSecretName(k) {
			out[k] = []string{Mask}
		}
	}
	return out
}

// Patterns for secrets inside free text: JSON members, key=value pairs and
// authorization schemes.
var (
	jsonMember = regexp.MustCompile(`(?i)("(?:[a-z_\-]*password|[a-z_\-]*token|secret|authorization|pin|regpin|passphrase|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	keyValue   = regexp.MustCompile(`(?i)\b((?:[a-z_\-\[\]0-9.]*password|[a-z_\-]*token|secret|passphrase|regpin|jsessionid|csrf_nonce)=)[^&\s"']*`)
	authScheme = regexp.MustCompile(`(?i)\b(basic|bearer|negotiate|ntlm)(\s+)[a-z0-9._~+/=\-]{6,}`)
)

// String masks secrets in free text: JSON members and key=value pairs with
// secret names, Authorization scheme values, and any of the extra literal
// secrets given (a password the caller knows, for example).
//
// A literal secret is masked in its plain form and in the forms a server
// may echo it in: JSON-escaped (as Go, .NET, Java, Python and PHP encoders
// write it), HTML-escaped, URL-encoded (query and path style, either hex
// case) and base64 (standard and URL alphabets, padded or not, the secret
// encoded on its own). Secrets shorter than 3 bytes are not masked
// literally: they would match too much ordinary text.
func String(s string, secrets ...string) string {
	s = maskLiterals(s, secrets)
	s = jsonMember.ReplaceAllString(s, `${1}"`+Mask+`"`)
	s = keyValue.ReplaceAllString(s, "${1}"+Mask)
	s = authScheme.ReplaceAllString(s, "${1}${2}"+Mask)
	return s
}
