package mimcmapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// dateValues finds the quoted date-times of the seed's samples.
var dateValues = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT[^"]*)"`)

// FuzzParseDateTime checks the .NET DateTime parser: the zero time stands
// for .NET's MinValue ("not set") and for nothing else, a set time has the
// year the text wrote, and every parsed value survives MarshalJSON and
// UnmarshalJSON unchanged. The seed corpus is every date-time of the seed's
// samples (mimcmtest/testdata) plus hostile text.
func FuzzParseDateTime(f *testing.F) {
	names, err := filepath.Glob(filepath.Join("..", "mimcmtest", "testdata", "*.json"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range dateValues.FindAllStringSubmatch(string(b), -1) {
			f.Add(m[1])
		}
	}
	for _, s := range []string{
		"0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000", "0001-01-01T00:00:00.0000001",
		"0001-01-01T00:00:00+01:00", "0000-12-31T23:00:00-01:00", "0001-01-01T05:00:00+05:00",
		"2015-07-07T23:36:21.1234567", "2015-07-07T23:36:21.93z", "2015-07-07t23:36:21", "9999-12-31T23:59:59.9999999",
		"9999-12-31T23:59:59.999999999-23:59", "2015-07-07", "2015-07-07T24:00:00", "2015-02-29T00:00:00", "", "null",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := mimcmapi.ParseDateTime(s)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("error %v beside time %v", err, d.Time)
			}
			return
		}
		if len(s) < 4 {
			t.Fatalf("%q is too short for a date-time but parsed to %v", s, d.Time)
		}
		if d.IsZero() {
			// Only MinValue is "not set": year 1 at midnight of 1 January
			// (with a zone, the same instant or wall clock).
			if !strings.HasPrefix(s, "0001-01-01") && !strings.HasPrefix(s, "0000-12-31") {
				t.Fatalf("%q parsed to the zero time (not set)", s)
			}
		} else if year, perr := strconv.Atoi(s[:4]); perr != nil || d.Year() != year {
			t.Fatalf("%q parsed to %v: not the year the text wrote", s, d.Time)
		}

		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%v): %v", d.Time, err)
		}
		var back mimcmapi.DateTime
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatalf("%s does not decode again: %v", b, err)
		}
		if !back.Equal(d.Time) || back.IsZero() != d.IsZero() {
			t.Fatalf("%q parsed to %v, written as %s, read back as %v", s, d.Time, b, back.Time)
		}

		// The JSON form of the text decodes exactly as the text parses.
		q, _ := json.Marshal(s)
		var viaJSON mimcmapi.DateTime
		if err := json.Unmarshal(q, &viaJSON); err != nil || !viaJSON.Equal(d.Time) {
			t.Fatalf("%s decoded to %v, %v; ParseDateTime gave %v", q, viaJSON.Time, err, d.Time)
		}
	})
}
