// Package lenient decodes the vendor's samples as its documentation prints
// them: not quite JSON. It is for tests and for seeding the fake; the
// client's own decoders never repair an answer.
package lenient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

var (
	ellipsisLine  = regexp.MustCompile(`(?m)^\s*…\s*,?\s*$`)
	trailingComma = regexp.MustCompile(`,(\s*[\]}])`)
)

// Repair returns data as strict JSON: an elided array element written as
// "…" is dropped with the comma it leaves, and an object whose opening
// brace was lost gets it back.
func Repair(data []byte) []byte {
	s := ellipsisLine.ReplaceAllString(string(data), "")
	s = trailingComma.ReplaceAllString(s, "$1")
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") {
		s = "{" + s
		if strings.Count(s, "{") > strings.Count(s, "}") {
			s += "}"
		}
	}
	return []byte(s)
}

// Decode repairs data and decodes it into v.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(Repair(data)))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode sample: %w", err)
	}
	return nil
}
