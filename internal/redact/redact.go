// Package redact removes credentials from the URLs, headers, form bodies and
// messages that errors and logs carry. Every error and log line in
// certadmin-go passes through it, so there is one list of secret names.
package redact

import (
	"net/url"
	"strings"
)

// Mask replaces a secret value.
const Mask = "REDACTED"

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

// String masks secrets in free text: the values of JSON members (string,
// number, true, false or null), key=value pairs and "Name: value" lines
// whose name IsSecretName reports, credentials after an Authorization
// scheme word (Basic, Bearer, Negotiate, NTLM), and any of the extra literal
// secrets given (a password the caller knows, for example).
//
// A "Name: value" line is masked to its end, or to the end of the JSON
// string it stands in: so is a message such as "invalid token: expired",
// whose reason cannot be told from a token. A JSON member whose value is an
// object or array is not masked, nor is JSON escaped inside a JSON string.
//
// A literal secret is masked in its plain form and in the forms a server
// may echo it in: JSON-escaped (as Go, .NET, Java, Python and PHP encoders
// write it), HTML-escaped, URL-encoded (query and path style, either hex
// case) and base64 (standard and URL alphabets, padded or not, the secret
// encoded on its own). Secrets shorter than 3 bytes are not masked
// literally: they would match too much ordinary text.
func String(s string, secrets ...string) string {
	return maskNames(maskLiterals(s, secrets))
}
