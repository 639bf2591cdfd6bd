package redact

import (
	"regexp"
	"strings"
)

// secretNames is the one list of names whose values are never shown: query
// and form parameters (Query, URL), JSON members, key=value pairs and
// "Name: value" header lines in free text (String), and headers (Header
// masks these even when a caller allows them). Every rule is derived from
// it.
//
// Names are compared in lower case (ASCII) with '-' and '_' removed, and an
// indexed name such as accounts[0].password is judged by its last segment.
// A leading '*' matches every name that ends so: "*token" covers
// access_token, csrfToken and X-Auth-Token, but not tokenExpiration.
var secretNames = []string{
	"*password", "*passwd", "*pwd", "*passphrase",
	"*token", "*secret", "*apikey", "*secretkey", "*privatekey",
	"*authorization", "*cookie",
	"pin", "regpin", "jsessionid", "csrfnonce",
}

// authSchemes are the Authorization schemes whose credentials String masks
// wherever they stand, named or not.
var authSchemes = []string{"basic", "bearer", "negotiate", "ntlm"}

// fold appends s to dst in the form names are compared in: ASCII letters in
// lower case, '-' and '_' left out.
func fold(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == '_':
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+('a'-'A'))
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// IsSecretName reports whether a parameter, field or header of this name
// carries a credential. See secretNames for how names are compared.
func IsSecretName(name string) bool {
	n := string(fold(make([]byte, 0, len(name)), name))
	if i := strings.LastIndexAny(n, ".]"); i >= 0 {
		n = n[i+1:]
	}
	for _, s := range secretNames {
		if suffix, ok := strings.CutPrefix(s, "*"); ok {
			if strings.HasSuffix(n, suffix) {
				return true
			}
		} else if n == s {
			return true
		}
	}
	return false
}

// namePattern returns a regular expression for a name IsSecretName
// accepts, written from secretNames. segment is the class of characters a
// name's last segment may hold before a suffix, prefix that of the
// segments before it.
func namePattern(prefix, segment string) string {
	var exact, suffix []string
	for _, n := range secretNames {
		if s, ok := strings.CutPrefix(n, "*"); ok {
			suffix = append(suffix, foldedPattern(s))
		} else {
			exact = append(exact, foldedPattern(n))
		}
	}
	return `(?:` + prefix + `*[.\]])?` +
		`(?:[-_]*(?:` + strings.Join(exact, "|") + `)|` + segment + `*(?:` + strings.Join(suffix, "|") + `))[-_]*`
}

// foldedPattern matches word as fold compares it: ASCII letters in either
// case, '-' and '_' anywhere between.
func foldedPattern(word string) string {
	parts := make([]string, 0, len(word))
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'a' <= c && c <= 'z' {
			parts = append(parts, "["+string(c)+string(c-('a'-'A'))+"]")
		} else {
			parts = append(parts, regexp.QuoteMeta(word[i:i+1]))
		}
	}
	return strings.Join(parts, "[-_]*")
}

func alternation(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = foldedPattern(w)
	}
	return `(?:` + strings.Join(parts, "|") + `)`
}

// The rules for secrets inside free text. Each is anchored: maskNames
// runs it where a key holding a secret name starts, found by a scan for the
// names, so the regular expressions never run over text that names none.
var (
	// keyName is a key as a form, a query or a header line writes it.
	keyName = namePattern(`[A-Za-z0-9_.\[\]-]`, `[A-Za-z0-9_\[-]`)

	// jsonMember is a JSON member with a secret name and a string, number,
	// true, false or null value. A string keeps its quotes around the mask.
	jsonMember = rule(`(?s)^("`+namePattern(`[^"\\]`, `[^"\\.\]]`)+`"\s*:\s*)`+
		`(?:(")(?:[^"\\]|\\.)*(")|-?[0-9][0-9A-Za-z.+-]*|(?:true|false|null)\b)`, `${1}${2}`+Mask+`${3}`)
	// keyValue is name=value, as in a form body, a query or a cookie. The
	// value ends at '&', white space or a quote.
	keyValue = rule(`^(`+keyName+`=)[^&\s"']+`, `${1}`+Mask)
	// headerLine is "Name: value", as a header is written, and as YAML or
	// a message ("token: ...") writes a value. The value runs to the end of
	// the line or of the JSON string the text stands in; a quoted value
	// ends at its closing quote.
	headerLine = rule(`^(`+keyName+`[ \t]*:[ \t]*)`+
		`(?:"(?:[^"\\\r\n]|\\.)*"|(?:[^\r\n"\\]|\\[^nr])+)`, `${1}`+Mask)
	// authScheme is a credential after an Authorization scheme word.
	authScheme = rule(`^(`+alternation(authSchemes)+`)(\s+)[A-Za-z0-9._~+/=-]{6,}`, `${1}${2}`+Mask)
)

type textRule struct {
	re   *regexp.Regexp
	repl string // the template for Regexp.ExpandString
}

func rule(expr, repl string) textRule { return textRule{regexp.MustCompile(expr), repl} }

// match matches r at s[at:] and returns the end of the match in s.
func (r textRule) match(s string, at int) (m []int, end int) {
	m = r.re.FindStringSubmatchIndex(s[at:])
	if m == nil {
		return nil, -1
	}
	return m, at + m[1]
}

// firstLetter lists, by the byte a folded word starts with (either case),
// the words maskNames looks for: names from secretNames and authSchemes.
var firstLetter = func() (t [256][]gateWord) {
	add := func(words []string, scheme bool) {
		for _, w := range words {
			w = string(fold(nil, strings.TrimPrefix(w, "*")))
			t[w[0]] = append(t[w[0]], gateWord{w, scheme})
			if 'a' <= w[0] && w[0] <= 'z' {
				t[w[0]-('a'-'A')] = t[w[0]]
			}
		}
	}
	add(secretNames, false)
	add(authSchemes, true)
	return t
}()

type gateWord struct {
	word   string // folded
	scheme bool   // an authorization scheme, not a secret name
}

// foldedPrefix reports whether s, folded, starts with the folded word w.
func foldedPrefix(s, w string) bool {
	j := 0
	for i := 0; i < len(s) && j < len(w); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
		j++
	}
	return j == len(w)
}

func isKeyChar(c byte) bool {
	return isASCIIAlnum(c) || c == '_' || c == '.' || c == '[' || c == ']' || c == '-'
}

// maxJSONName bounds how far back maskNames looks for the quote that opens
// a JSON member's name.
const maxJSONName = 256

// maskNames applies the free-text rules. It scans s once for the secret
// names and scheme words, folded as names are compared; where one stands,
// it finds where the key around it starts and tries the rules there. Text
// that names no secret is returned as it is, without copying.
func maskNames(s string) string {
	var out []byte // s[:done] with the matches replaced
	done := 0
	for i := 0; i < len(s); i++ {
		for _, g := range firstLetter[s[i]] {
			if !foldedPrefix(s[i+1:], g.word[1:]) {
				continue
			}
			var r textRule
			at, m, end := 0, []int(nil), -1
			if g.scheme {
				if i == 0 || !isWordChar(s[i-1]) {
					r, at = authScheme, i
					m, end = r.match(s, at)
				}
			} else {
				r, at, m, end = matchKey(s, done, i)
			}
			if m != nil {
				out = append(out, s[done:at]...)
				out = r.re.ExpandString(out, r.repl, s[at:], m)
				done = end
				i = end - 1
				break
			}
		}
	}
	if out == nil {
		return s
	}
	return string(append(out, s[done:]...))
}

// matchKey tries the key rules on the key around the secret name at s[i:];
// the key starts at or after done. It returns the rule that matched, where
// and the match. A rule runs only where the text after the key has the
// character it needs (a closing quote and a colon, '=' or ':'), so a name
// in prose costs a few byte comparisons.
func matchKey(s string, done, i int) (r textRule, at int, m []int, end int) {
	// A JSON member's name: from an opening quote to a closing quote and a colon.
	q := i
	for q > done && i-q < maxJSONName && !isJSONNameEnd(s[q-1]) {
		q--
	}
	if q > done && s[q-1] == '"' {
		e := i
		for e < len(s) && e-q < maxJSONName && !isJSONNameEnd(s[e]) {
			e++
		}
		if e < len(s) && s[e] == '"' && nextIs(s, e+1, " \t\r\n\f", ':') {
			if m, end = jsonMember.match(s, q-1); m != nil {
				return jsonMember, q - 1, m, end
			}
		}
	}
	// A key in a form, a query or a header line.
	k, e := i, i
	for k > done && isKeyChar(s[k-1]) {
		k--
	}
	for e < len(s) && isKeyChar(s[e]) {
		e++
	}
	switch {
	case e < len(s) && s[e] == '=':
		r = keyValue
	case nextIs(s, e, " \t", ':'):
		r = headerLine
	default:
		return textRule{}, 0, nil, -1
	}
	m, end = r.match(s, k)
	return r, k, m, end
}

func isJSONNameEnd(c byte) bool { return c == '"' || c == '\\' || c == '\n' }

// nextIs reports whether the first byte of s[i:] not in skip is c.
func nextIs(s string, i int, skip string, c byte) bool {
	for i < len(s) && strings.IndexByte(skip, s[i]) >= 0 {
		i++
	}
	return i < len(s) && s[i] == c
}

func isWordChar(c byte) bool { return isASCIIAlnum(c) || c == '_' }
