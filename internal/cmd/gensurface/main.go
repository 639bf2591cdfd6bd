// Command gensurface writes the part of a vendor package's public API that
// is the same in every vendor: the Option, CallOption and RetryPolicy
// types with the common options, the Error type and sentinels, Client.Do
// and Client.Close (-kind client); or a fake server's Fault type and the
// Server methods every fake has (-kind fake). One template for all vendors,
// so the common surface cannot drift between them, while each package
// still declares (and documents) its own types: an option of one vendor
// does not compile with another vendor's client.
//
// Run by go generate in each vendor package:
//
//	//go:generate go run ../../internal/cmd/gensurface -kind client -pkg core -vendor "MobileIron Core" -o surface.gen.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"
	"text/template"
)

type params struct {
	Kind     string
	Pkg      string // package name, also the operation prefix ("core")
	Vendor   string // display name ("MobileIron Core")
	Tokens   bool   // declare TokenSource, StaticToken, NewRefreshingTokenSource and DefaultRefreshMargin
	Refused  string // -tokens: how the server refuses a token, after "a token the server"
	Workflow bool   // declare workflowOption, the base of the shared workflow options
	Client   string // -kind fake: import path of the vendor client package
	ClientPk string // -kind fake: its package name
}

func main() {
	var p params
	var out string
	flag.StringVar(&p.Kind, "kind", "client", "client or fake")
	flag.StringVar(&p.Pkg, "pkg", "", "package name")
	flag.StringVar(&p.Vendor, "vendor", "", "vendor display name")
	flag.BoolVar(&p.Tokens, "tokens", false, "declare TokenSource, StaticToken, NewRefreshingTokenSource and DefaultRefreshMargin (client kind)")
	// The default is what transport.HeaderToken does with a renewable
	// source; a package whose transport.TokenAuth has a Rejected of its
	// own says what it checks, so each package's doc is true for it.
	flag.StringVar(&p.Refused, "token-refused", "answers 401 to", `with -tokens: how the vendor's server refuses a token, completing "a token the server …"`)
	flag.BoolVar(&p.Workflow, "workflow", false, "declare workflowOption for the internal/workflow options (client kind)")
	flag.StringVar(&p.Client, "client", "", "vendor client import path (fake kind)")
	flag.StringVar(&out, "o", "surface.gen.go", "output file")
	flag.Parse()
	if p.Pkg == "" || p.Vendor == "" || (p.Kind == "fake" && p.Client == "") {
		fmt.Fprintln(os.Stderr, "gensurface: -pkg and -vendor are required (and -client for -kind fake)")
		os.Exit(2)
	}
	if p.Client != "" {
		p.ClientPk = p.Client[bytes.LastIndexByte([]byte(p.Client), '/')+1:]
	}
	tmpl := clientTemplate
	if p.Kind == "fake" {
		tmpl = fakeTemplate
	}
	var buf bytes.Buffer
	funcs := template.FuncMap{"comment": commentLines}
	if err := template.Must(template.New(p.Kind).Funcs(funcs).Parse(tmpl)).Execute(&buf, p); err != nil {
		fmt.Fprintln(os.Stderr, "gensurface:", err)
		os.Exit(1)
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensurface: generated code does not parse:", err)
		_, _ = os.Stderr.Write(buf.Bytes())
		os.Exit(1)
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gensurface:", err)
		os.Exit(1)
	}
}

// commentLines wraps text into "// " comment lines of at most 76
// columns (a paragraph that takes a flag's words, such as -token-refused,
// whose length the template cannot know).
func commentLines(text string) string {
	var lines []string
	line := "//"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 76 && line != "//" {
			lines = append(lines, line)
			line = "//"
		}
		line += " " + word
	}
	return strings.Join(append(lines, line), "\n")
}
