package adminv1test

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
)

//go:embed testdata/*.txt
var samples embed.FS

// renderMarker is the "- " the rendered documentation puts before each
// member and array item: at a line start, after an opening bracket or
// after the comma that ends the previous member.
var renderMarker = regexp.MustCompile(`(?m)(^|[\[{]|, )- `)

// Fixture returns a file of the fake's testdata folder verbatim: the
// request and response samples of the vendor's documentation as the
// rendered page shows them (e.g. "admins.txt"). SampleJSON gives the same
// samples as JSON.
func Fixture(name string) ([]byte, error) {
	b, err := samples.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("adminv1test: no fixture %s", name)
	}
	return b, nil
}

// SampleJSON returns one of the vendor's documentation samples
// (testdata/<name>.txt, e.g. "admin", "admins", "create-request",
// "bulk-request", "error") as JSON: the file is the documentation's text
// byte for byte, and only the rendering's "- " markers are removed.
func SampleJSON(name string) ([]byte, error) {
	text, err := samples.ReadFile("testdata/" + name + ".txt")
	if err != nil {
		return nil, fmt.Errorf("adminv1test: no sample %q", name)
	}
	out := renderMarker.ReplaceAll(text, []byte("$1"))
	if !json.Valid(out) {
		return nil, fmt.Errorf("adminv1test: sample %q is not JSON once its markers are removed", name)
	}
	return out, nil
}
