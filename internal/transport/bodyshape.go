package transport

import (
	"bytes"
	"encoding/json"
	"strings"
)

// OnlyMembers reads body as one JSON object whose member names are all
// among names (compared without regard to letter case) and returns its
// members, keyed by their lower-case names. ok is false for anything else:
// not an object, a member outside names, malformed JSON, text after the
// object.
//
// It is what a Rules.ErrorInBody hook uses to tell a vendor's error body
// from an answer: an error shape is an object made of the error's members
// only, and a real answer has a member of its own. ErrorInBody runs on
// every JSON answer, so OnlyMembers stops at the first member that is not
// among names: a list or a page (an array, or an object whose first member
// is its items) costs the read of one token, not a second decoding of a
// body that may be as large as the JSON cap.
func OnlyMembers(body []byte, names ...string) (map[string]json.RawMessage, bool) {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil { // the '{' seen above
		return nil, false
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, ok := tok.(string)
		if !ok || !among(name, names) {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		members[strings.ToLower(name)] = v
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, false
	}
	if _, err := dec.Token(); err == nil { // a second value after the object
		return nil, false
	}
	return members, true
}

func among(name string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// MemberString is members[name] when it is a JSON string, and whether it
// is one (name in lower case, as OnlyMembers keys the members).
func MemberString(members map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := members[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// MemberNumber reports whether members[name] is a JSON number.
func MemberNumber(members map[string]json.RawMessage, name string) bool {
	raw := bytes.TrimSpace(members[name])
	// OnlyMembers read the value as valid JSON: one that starts like a
	// number is one.
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}
