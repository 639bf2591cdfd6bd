package mimcmapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// The shortcuts of UnmarshalJSON and ParseDateTime (a date written
// without escapes taken as it stands, MinValue recognised by its text)
// give what the long way gives, error or value, for any input.
func FuzzDateTimeShortcuts(f *testing.F) {
	for _, s := range []string{
		`"0001-01-01T00:00:00"`, `"2015-07-07T23:36:21.93Z"`, `"2015-07-07T23:36:21.93+14:00"`, `"2015-07-07T23:36:21.1234567"`,
		`"\u0030001-01-01T00:00:00"`, `"0001-01-01T00:00:00\/"`, `"0001-01-01T00:00:00.0"`, `"0001-01-01T00:00:00Z"`,
		`""`, `"`, `"x"`, `null`, `1`, `"2015-07-07T23:36:21é"`, "\"2015-07-07T23:36:21\x7f\"", `"a"b"`, `nul`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got DateTime
		errGot := got.UnmarshalJSON(b)
		var want DateTime
		var errWant error
		if string(b) != "null" {
			var s string
			if err := json.Unmarshal(b, &s); err != nil {
				errWant = fmt.Errorf("mimcmapi: DateTime: %w", err)
			} else {
				want, errWant = parseTheLongWay(s)
			}
		}
		if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %v, %v; the long way gives %v, %v", b, got.Time, errGot, want.Time, errWant)
		}
		if errGot != nil && errGot.Error() != errWant.Error() {
			t.Fatalf("%q: error %q, the long way %q", b, errGot, errWant)
		}
	})
}

// parseTheLongWay is ParseDateTime without its MinValue shortcut.
func parseTheLongWay(s string) (DateTime, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return normalize(t), nil
	}
	for _, layout := range zoneless {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return normalize(t), nil
		}
	}
	return ParseDateTime(s) // only its error, which says the same
}

// The server's "not set" costs no allocation: it is the most common date.
func TestMinValueAllocatesNothing(t *testing.T) {
	b := []byte(`"` + minValue + `"`)
	if n := testing.AllocsPerRun(100, func() {
		var d DateTime
		if err := d.UnmarshalJSON(b); err != nil || !d.IsZero() {
			t.Fatal(d, err)
		}
	}); n != 0 {
		t.Fatalf("MinValue costs %v allocations", n)
	}
}
