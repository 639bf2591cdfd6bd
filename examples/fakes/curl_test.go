package main

// A small reader of the curl command lines in the vendor's documents: the
// shell's word splitting (sh, or Windows cmd for the sample written for
// it) and the curl options those samples use. It builds the request curl
// would send; nothing here runs a shell or curl.

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// isBlank reports whether r separates words. U+00A0 counts: the Core page
// prints the double space before -d as two non-breaking spaces, which a
// browser's copy of the page turns back into spaces.
func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\u00a0' }

// shWords splits line into words as a POSIX shell does, without
// expansions (the samples have no variables, globs or substitutions):
// single quotes keep everything, double quotes keep everything but \ before
// $ ` " \, and a backslash outside quotes keeps the next character.
//
// One reading is the document's, not the shell's: a backslash that starts
// a word and is followed by a blank or the end of the line is a line
// continuation whose line break the page lost (the Cloud pages print
// "… \ --header …" on one line, and one command ends in a "\" that
// continues nowhere); it is dropped.
func shWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isBlank(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\\':
			if !inWord && (i+1 == len(rs) || isBlank(rs[i+1])) {
				continue // a lost line continuation
			}
			if i+1 == len(rs) {
				return nil, errors.New("a backslash ends the line")
			}
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case r == '\'':
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, errors.New("a single quote is not closed")
			}
			cur.WriteString(string(rs[i+1 : end]))
			i = end
			inWord = true
		case r == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("$`\"\\", rs[j+1]) {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New("a double quote is not closed")
			}
			i = j
			inWord = true
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// cmdWords splits line into words as a Windows program's command line is
// split (the C runtime's rules, which curl.exe gets from cmd): a double
// quote starts or ends a quoted part, "" inside a quoted part is one
// literal quote, \" is a literal quote, and other backslashes and single
// quotes are ordinary characters.
func cmdWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && rs[i+1] == '"':
			cur.WriteRune('"')
			i++
			inWord = true
		case r == '"' && quoted && i+1 < len(rs) && rs[i+1] == '"':
			cur.WriteRune('"')
			i++
		case r == '"':
			quoted = !quoted
			inWord = true
		case isBlank(r) && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, errors.New("a double quote is not closed")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// curlCommand is what a curl command line asks for.
type curlCommand struct {
	Method   string // -X; "" for curl's default
	URL      string
	Headers  []string // -H, as given
	User     string   // -u user:password
	HasUser  bool
	Data     []string // -d, --data-binary, --data-urlencode …, each already in its sent form
	Forms    []formPart
	Get      bool   // -G: the data goes into the query
	Output   string // -o
	Insecure bool   // -k
	Follow   bool   // -L
}

// formPart is one -F: a value, or a file (@path).
type formPart struct {
	Name, Value, File string
}

// parseCurl reads the words of a curl command line. The command name may
// be written "cURL" (as one page does, which a case-insensitive file
// system runs) and may carry the shell prompt "$" (as two pages do).
func parseCurl(words []string) (*curlCommand, error) {
	if len(words) == 0 || !strings.EqualFold(strings.TrimPrefix(words[0], "$"), "curl") {
		return nil, fmt.Errorf("not a curl command: %q", words)
	}
	c := &curlCommand{}
	args := words[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		// value returns the option's argument: the rest of a short-option
		// cluster, or the next word.
		value := func(rest string) (string, error) {
			if rest != "" {
				return rest, nil
			}
			if i+1 == len(args) {
				return "", fmt.Errorf("option %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			switch name {
			case "request", "header", "user", "data", "data-ascii", "data-binary", "data-raw",
				"data-urlencode", "form", "output", "url":
				v, err := value("")
				if err != nil {
					return nil, err
				}
				if err := c.option(name, v); err != nil {
					return nil, err
				}
			case "insecure":
				c.Insecure = true
			case "location":
				c.Follow = true
			case "get":
				c.Get = true
			case "compressed", "silent", "show-error", "verbose":
				// Transfer details that do not change the request: Go's
				// transport asks for gzip and decodes it by itself.
			default:
				return nil, fmt.Errorf("curl option %s is not supported", a)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// A cluster of short options: flags, then at most one option
			// that takes the rest of the cluster (or the next word).
		cluster:
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'k':
					c.Insecure = true
				case 'L':
					c.Follow = true
				case 'G':
					c.Get = true
				case 's', 'S', 'v':
				case 'X', 'H', 'u', 'd', 'F', 'o':
					v, err := value(a[j+1:])
					if err != nil {
						return nil, err
					}
					long := map[byte]string{'X': "request", 'H': "header", 'u': "user", 'd': "data", 'F': "form", 'o': "output"}[a[j]]
					if err := c.option(long, v); err != nil {
						return nil, err
					}
					break cluster
				default:
					return nil, fmt.Errorf("curl option -%c is not supported", a[j])
				}
			}
		default:
			if err := c.option("url", a); err != nil {
				return nil, err
			}
		}
	}
	if c.URL == "" {
		return nil, errors.New("no URL")
	}
	return c, nil
}

// option applies one option with its value, by its long name.
func (c *curlCommand) option(name, v string) error {
	switch name {
	case "request":
		c.Method = v
	case "header":
		c.Headers = append(c.Headers, v)
	case "user":
		if !strings.Contains(v, ":") {
			return fmt.Errorf("-u %q has no password (curl would prompt for one)", v)
		}
		c.User, c.HasUser = v, true
	case "data", "data-ascii", "data-binary":
		if strings.HasPrefix(v, "@") {
			return fmt.Errorf("--%s %q reads a file; the samples send their data inline", name, v)
		}
		c.Data = append(c.Data, v)
	case "data-raw":
		c.Data = append(c.Data, v)
	case "data-urlencode":
		// curl looks for the first = or @: "name=content" and "=content"
		// encode content, "name@file" and "@file" read a file, and content
		// without either is encoded whole.
		k := strings.IndexAny(v, "=@")
		switch {
		case k < 0:
			c.Data = append(c.Data, curlEscape(v))
		case v[k] == '@':
			return fmt.Errorf("--data-urlencode %q reads the file %q", v, v[k+1:])
		case k == 0:
			c.Data = append(c.Data, curlEscape(v[1:]))
		default:
			c.Data = append(c.Data, v[:k]+"="+curlEscape(v[k+1:]))
		}
	case "form":
		n, val, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("-F %q is not name=content", v)
		}
		if file, isFile := strings.CutPrefix(val, "@"); isFile {
			c.Forms = append(c.Forms, formPart{Name: n, File: file})
		} else {
			c.Forms = append(c.Forms, formPart{Name: n, Value: val})
		}
	case "output":
		c.Output = v
	case "url":
		if c.URL != "" {
			return fmt.Errorf("a second URL %q (the samples name one)", v)
		}
		c.URL = v
	default:
		return fmt.Errorf("option --%s", name)
	}
	return nil
}

// curlEscape percent-encodes s as curl does: every byte but letters,
// digits and - . _ ~ (a space is %20, not +).
func curlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("-._~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// curlBody is the request body, its Content-Type (when curl sets one) and
// the URL (changed by -G) curl would send.
type curlBody struct {
	Method, URL, ContentType string
	Body                     []byte
}

// build works out what curl sends for c: the method (-X wins; data or a
// form make it POST, -G makes it GET), the body and its Content-Type.
func (c *curlCommand) build() (*curlBody, error) {
	out := &curlBody{Method: "GET", URL: c.URL}
	switch {
	case len(c.Forms) > 0 && len(c.Data) > 0:
		return nil, errors.New("both -F and -d")
	case len(c.Forms) > 0:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range c.Forms {
			if f.File == "" {
				if err := mw.WriteField(f.Name, f.Value); err != nil {
					return nil, err
				}
				continue
			}
			data, err := os.ReadFile(f.File)
			if err != nil {
				return nil, err
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Name, filepath.Base(f.File)))
			h.Set("Content-Type", "application/octet-stream")
			w, err := mw.CreatePart(h)
			if err != nil {
				return nil, err
			}
			_, _ = w.Write(data)
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		out.Method, out.Body, out.ContentType = "POST", buf.Bytes(), mw.FormDataContentType()
	case len(c.Data) > 0 && c.Get:
		sep := "?"
		if strings.Contains(out.URL, "?") {
			sep = "&"
		}
		out.URL += sep + strings.Join(c.Data, "&")
	case len(c.Data) > 0:
		out.Method = "POST"
		out.Body = []byte(strings.Join(c.Data, "&"))
		out.ContentType = "application/x-www-form-urlencoded"
	}
	if c.Method != "" {
		out.Method = c.Method
	}
	return out, nil
}

func TestShWords(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{`curl -u a:b 'x y' "p\"q" r\ s`, []string{"curl", "-u", "a:b", "x y", `p"q`, "r s"}},
		{`a'b'"c"d`, []string{"abcd"}},
		{`"a\b"`, []string{`a\b`}},
		{"a\u00a0\u00a0b", []string{"a", "b"}},
		{`curl 'u' \ -H 'h' \`, []string{"curl", "u", "-H", "h"}},
		{`-d'{"a": 1}'`, []string{`-d{"a": 1}`}},
	} {
		got, err := shWords(tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("shWords(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `a\`} {
		if _, err := shWords(bad); err == nil {
			t.Errorf("shWords(%q) took it", bad)
		}
	}
}

func TestCmdWords(t *testing.T) {
	got, err := cmdWords(`curl "u" --data-binary "{""id"":1,""s"":""a b""}" 'x'`)
	want := []string{"curl", "u", "--data-binary", `{"id":1,"s":"a b"}`, "'x'"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("cmdWords = %q, %v; want %q", got, err, want)
	}
}

func TestParseCurl(t *testing.T) {
	words, _ := shWords(`$curl -XPOST -sSk -u u:p -H 'A: b' --data-urlencode 'n=a b@c' --data-urlencode 'x' -d'{}' -o out.csv https://h/p`)
	c, err := parseCurl(words)
	if err != nil {
		t.Fatal(err)
	}
	want := &curlCommand{Method: "POST", URL: "https://h/p", Headers: []string{"A: b"}, User: "u:p", HasUser: true,
		Data: []string{"n=a%20b%40c", "x", "{}"}, Output: "out.csv", Insecure: true}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("parseCurl = %+v\nwant %+v", c, want)
	}
	b, err := c.build()
	if err != nil || b.Method != "POST" || string(b.Body) != "n=a%20b%40c&x&{}" || b.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("build = %+v, %v", b, err)
	}

	words, _ = shWords(`curl -G -d a=1 https://h/p?q=2`)
	c, _ = parseCurl(words)
	if b, _ := c.build(); b.Method != "GET" || b.URL != "https://h/p?q=2&a=1" || b.Body != nil {
		t.Errorf("-G: %+v", b)
	}
	for _, bad := range []string{
		`wget https://h/`, `curl -Z https://h/`, `curl --bogus https://h/`, `curl -u user https://h/`,
		`curl -d @file https://h/`, `curl --data-urlencode 'a@b' https://h/`, `curl https://a/ https://b/`, `curl -s`,
	} {
		words, _ := shWords(bad)
		if _, err := parseCurl(words); err == nil {
			t.Errorf("parseCurl(%s) took it", bad)
		}
	}
}
