package enterpriseadmin

import (
	"testing"
	"time"
)

// Java Date text names its zone by abbreviation: a known one is read at
// its fixed offset (never at 0 by accident, nor at the machine's own
// offset), an unknown one leaves the time unknown, and the epoch member
// keeps priority over the text.
func TestCertificateTimeZoneAbbreviations(t *testing.T) {
	for _, c := range []struct {
		text string
		want time.Time // zero: unknown
	}{
		{"Fri Sep 03 16:07:57 PDT 2021", time.Date(2021, 9, 3, 23, 7, 57, 0, time.UTC)},
		{"Fri Jan 03 16:07:57 PST 2020", time.Date(2020, 1, 4, 0, 7, 57, 0, time.UTC)},
		{"Fri Sep 03 16:07:57 EDT 2021", time.Date(2021, 9, 3, 20, 7, 57, 0, time.UTC)},
		{"Fri Sep 03 16:07:57 CEST 2021", time.Date(2021, 9, 3, 14, 7, 57, 0, time.UTC)},
		{"Fri Sep 03 16:07:57 BST 2021", time.Date(2021, 9, 3, 15, 7, 57, 0, time.UTC)},
		{"Wed Apr 07 10:32:43 UTC 2021", time.Date(2021, 4, 7, 10, 32, 43, 0, time.UTC)},
		{"Tue Jun 24 19:46:06 GMT 2008", time.Date(2008, 6, 24, 19, 46, 6, 0, time.UTC)},
		{"Wed Apr 07 10:32:43 GMT+2 2021", time.Date(2021, 4, 7, 8, 32, 43, 0, time.UTC)},
		{"Fri Sep 03 16:07:57 XYZ 2021", time.Time{}},
		{"Fri Sep 03 16:07:57 IST 2021", time.Time{}}, // India, Ireland or Israel
	} {
		got := certificateTime(nil, c.text)
		if !got.Equal(c.want) || got.IsZero() != c.want.IsZero() {
			t.Errorf("%q = %v, want %v", c.text, got, c.want)
		}
		if _, offset := got.Zone(); !got.IsZero() && got.Format(javaDateLayout) != c.text {
			t.Errorf("%q written back as %q (offset %ds)", c.text, got.Format(javaDateLayout), offset)
		}
	}
	ms := int64(1630710477000)
	if got := certificateTime(&ms, "Fri Sep 03 16:07:57 XYZ 2021"); !got.Equal(time.UnixMilli(ms)) {
		t.Errorf("epoch ignored: %v", got)
	}
}
