package mimcmapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// DateTime is a .NET DateTime as the MIM CM REST API writes it: RFC 3339
// with a zone ("2015-07-07T23:36:21.93Z") or without one
// ("0001-01-01T00:00:00"). A value without a zone is taken as UTC, the zone
// the server's samples use. .NET's DateTime.MinValue (year 1), which the
// server sends for "not set" (a request that is not completed), decodes to
// the zero time.Time, so IsZero reports it. The generated models use this
// type through x-go-type because a strict RFC 3339 time.Time rejects the
// zone-less form.
type DateTime struct {
	time.Time
}

// zoneless are the layouts .NET uses without an offset, most precise first.
var zoneless = []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05"}

// minValue is how the server writes an unset DateTime; MarshalJSON writes
// the zero time back the same way.
const minValue = "0001-01-01T00:00:00"

// ParseDateTime reads s in either form. The zero time is returned for
// .NET's DateTime.MinValue.
func ParseDateTime(s string) (DateTime, error) {
	if s == minValue {
		// What the zone-less layouts make of it, without first failing
		// (and allocating) in RFC 3339, which wants a zone: every request
		// not completed carries it.
		return DateTime{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return normalize(t), nil
	}
	for _, layout := range zoneless {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return normalize(t), nil
		}
	}
	return DateTime{}, fmt.Errorf("mimcmapi: %q is not a .NET DateTime", s)
}

func normalize(t time.Time) DateTime {
	if t.Year() == 1 && t.YearDay() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return DateTime{}
	}
	return DateTime{Time: t}
}

// UnmarshalJSON accepts a JSON string in either form; null leaves d unchanged.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s, ok := plainString(b)
	if !ok {
		var escaped string // its own variable: &escaped moves it to the heap
		if err := json.Unmarshal(b, &escaped); err != nil {
			return fmt.Errorf("mimcmapi: DateTime: %w", err)
		}
		s = escaped
	}
	v, err := ParseDateTime(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// plainString is the value of the JSON string b when it is written without
// escapes in printable ASCII, so that its bytes are the string
// json.Unmarshal would give (every date the server writes); ok is false
// for anything else, which json.Unmarshal reads.
func plainString(b []byte) (s string, ok bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return "", false
		}
	}
	if string(inner) == minValue {
		return minValue, true // no copy for the most common value
	}
	return string(inner), true
}

// MarshalJSON writes the zero time as the server does
// ("0001-01-01T00:00:00") and any other time as RFC 3339.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return json.Marshal(minValue)
	}
	return json.Marshal(d.Format(time.RFC3339Nano))
}
