package cloud

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// FlexString is a value the API may send as a JSON string or as a number
// (or a boolean): the documentation gives the account's edipi, GDPR
// profile ID and LDAP server ID as numeric-looking text without saying
// which JSON type the answers use. Whatever the form, FlexString holds the
// text: "1234567899" for both 1234567899 and "1234567899"; null is "". As
// JSON it is written as a string.
type FlexString string

// UnmarshalJSON reads a string, a number or a boolean as its text and null
// as "". It never fails on well-formed JSON: an object or array (no
// answer documents one here) is kept as its JSON text, so one odd member
// cannot fail the page it is on.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	default:
		*f = FlexString(b)
	}
	return nil
}

// String returns the text.
func (f FlexString) String() string { return string(f) }

// Int64 returns the text as an integer, for the values that are IDs.
func (f FlexString) Int64() (int64, error) { return strconv.ParseInt(string(f), 10, 64) }

// flexBool reads true and false also when the API sends them as text
// ("true"); null and anything else is false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", `"true"`:
		*f = true
	default:
		*f = false
	}
	return nil
}
