package proof

import (
	"strings"
	"testing"
)

// The matrix takes read or write from the transport's attempt log, and a
// row that states a kind the spec's repeat contradicts fails.
func TestKindIsTheSpecsRepeat(t *testing.T) {
	post := func(repeatable bool) []attempt {
		return []attempt{{method: "GET", path: "/api/x", repeatable: true}, {method: "POST", path: "/api/x/create", repeatable: repeatable}}
	}
	for _, tc := range []struct {
		name     string
		op       Operation
		attempts []attempt
		want     Kind
		why      string
	}{
		{"never repeated: write", Operation{Method: "POST"}, post(false), Write, ""},
		{"read-only POST: read", Operation{Method: "POST"}, post(true), Read, ""},
		{"row says read, spec says never", Operation{Method: "POST", Kind: Read}, post(false), Read, "the row says read, the spec's repeat says write"},
		{"row says write, spec repeats", Operation{Method: "POST", Kind: Write}, post(true), Write, "the row says write, the spec's repeat says read"},
		{"row agrees", Operation{Method: "POST", Kind: Write}, post(false), Write, ""},
		{"download", Operation{Method: "GET", Kind: Download}, post(false), Download, ""},
		{"no such request logged", Operation{Method: "DELETE"}, post(false), Derived, "no DELETE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			suffix := "/create"
			if tc.op.Method == "GET" {
				suffix = "/x"
			}
			got, why := kindOf(tc.op, suffix, tc.attempts)
			if got != tc.want || (tc.why == "") != (why == "") || !strings.Contains(why, tc.why) {
				t.Errorf("kindOf = %v, %q; want %v, %q", got, why, tc.want, tc.why)
			}
		})
	}
}
