// Package toolflag holds the flags the tools under examples/ share, so
// that one meaning has one name in every tool: -o FILE for the output
// file, -format for the output's form (table, csv, jsonl or text, as far
// as a tool offers them) and -v for a log of every HTTP attempt. A tool that
// writes one form only has no -format.
package toolflag

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// The output forms a tool may offer under -format.
const (
	Table = "table" // aligned columns for a terminal
	CSV   = "csv"   // RFC 4180 rows with a header
	JSONL = "jsonl" // one JSON object per line, in the server's form
)

// Format registers -format on fs, accepting only forms (each one of
// Table, CSV or JSONL); the first is the default. Any other value fails
// fs.Parse, which every tool reports as a usage error (exit 2).
func Format(fs *flag.FlagSet, forms ...string) *string {
	if len(forms) == 0 {
		panic("toolflag.Format: no forms")
	}
	for _, f := range forms {
		if f != Table && f != CSV && f != JSONL {
			panic("toolflag.Format: unknown form " + f)
		}
	}
	v := &formatValue{value: forms[0], forms: forms}
	fs.Var(v, "format", "output form: "+strings.Join(forms, ", "))
	return &v.value
}

type formatValue struct {
	value string
	forms []string
}

func (v *formatValue) String() string {
	if v == nil {
		return ""
	}
	return v.value
}

func (v *formatValue) Set(s string) error {
	if !slices.Contains(v.forms, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.forms, ", "))
	}
	v.value = s
	return nil
}
