package mimcmapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

func TestDateTimeDecodesBothForms(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{`"2015-07-07T23:36:21.93Z"`, time.Date(2015, 7, 7, 23, 36, 21, 930_000_000, time.UTC)},
		{`"2015-07-07T23:36:21"`, time.Date(2015, 7, 7, 23, 36, 21, 0, time.UTC)},
		{`"2015-07-07T23:36:21.1234567"`, time.Date(2015, 7, 7, 23, 36, 21, 123_456_700, time.UTC)},
		{`"2015-07-08T01:36:21+02:00"`, time.Date(2015, 7, 7, 23, 36, 21, 0, time.UTC)},
		{`"0001-01-01T00:00:00"`, time.Time{}},
		{`"0001-01-01T00:00:00Z"`, time.Time{}},
		{`null`, time.Time{}},
	}
	for _, c := range cases {
		var d mimcmapi.DateTime
		if err := json.Unmarshal([]byte(c.in), &d); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !d.Equal(c.want) || d.IsZero() != c.want.IsZero() {
			t.Errorf("%s decoded to %v, want %v", c.in, d.Time, c.want)
		}
	}
}

func TestDateTimeRejectsGarbage(t *testing.T) {
	for _, in := range []string{`"yesterday"`, `"2015-07-07"`, `42`} {
		var d mimcmapi.DateTime
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s decoded without error to %v", in, d.Time)
		}
	}
}

func TestDateTimeMarshalRoundTrip(t *testing.T) {
	for _, in := range []string{`"0001-01-01T00:00:00"`, `"2015-07-07T23:36:21.93Z"`} {
		var d mimcmapi.DateTime
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Errorf("round trip of %s gave %s", in, out)
		}
	}
}
