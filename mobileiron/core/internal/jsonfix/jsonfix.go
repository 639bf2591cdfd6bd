// Package jsonfix repairs JSON as the vendor's Core documentation renders
// it, so samples copied verbatim from it decode: non-breaking spaces used
// as indentation, a "..." standing for elided entries, and the trailing
// comma such an elision leaves behind. Text inside strings is never
// changed. It is for the tests and the fake that load those samples; the
// client decodes live answers strictly and repairs nothing.
package jsonfix

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Clean returns b with the documentation artefacts outside strings removed.
// Valid JSON comes back unchanged (as a copy).
func Clean(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
			out = append(out, c)
		case c == 0xC2 && i+1 < len(b) && b[i+1] == 0xA0: // U+00A0 NO-BREAK SPACE
			out = append(out, ' ')
			i++
		case c == '.' && bytes.HasPrefix(b[i:], []byte("...")):
			i += 2
		case c == 0xE2 && bytes.HasPrefix(b[i:], []byte("…")): // a typeset ellipsis
			i += len("…") - 1
		case c == ']' || c == '}':
			if j := lastNonSpace(out); j >= 0 && out[j] == ',' {
				out = append(out[:j], out[j+1:]...)
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

func lastNonSpace(b []byte) int {
	for j := len(b) - 1; j >= 0; j-- {
		switch b[j] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return j
	}
	return -1
}

// Unmarshal decodes b into v; if b is not valid JSON it tries again with
// Clean(b). The error, if any, is the one for the original bytes.
func Unmarshal(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return err
	}
	if err2 := json.Unmarshal(Clean(b), v); err2 != nil {
		return err
	}
	return nil
}
