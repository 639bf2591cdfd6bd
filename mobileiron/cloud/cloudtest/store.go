package cloudtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/internal/lenient"
)

// fixtures are the sample answers of the vendor's documentation, verbatim.
//
//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns a sample of the vendor's documentation by file name (e.g.
// "get_all_accounts_response.json"), exactly as the vendor printed it.
func Fixture(name string) ([]byte, error) { return fixtures.ReadFile("testdata/" + name) }

// Lenient decodes a vendor sample that is not quite JSON, as the vendor's
// documentation prints some: an elided array element written as "…", and
// an object whose opening brace was lost. The fixture files stay verbatim;
// only the decoding copes.
func Lenient(data []byte, v any) error {
	if err := lenient.Decode(data, v); err != nil {
		return fmt.Errorf("cloudtest: %w", err)
	}
	return nil
}

// member is one member of an account object, its value as JSON.
type member struct {
	key string
	val json.RawMessage
}

// account is the fake's stored form of an account: the members of its
// JSON object in the order the API shows them, null ones included, so an
// account the samples show without some member is answered without it,
// and one the documentation shows with null members keeps them. The
// index holds the few values filtering, sorting and facets read.
type account struct {
	members []member
	// gen, for a generated account, is its number; its members are
	// made from a template when first needed.
	gen int
	index

	// Side state no answer shows.
	passwordSet bool
	ownership   string
	attrs       map[string][]string

	// entity caches the full object; search the object without its
	// null members (the listing's form); both nil after a change. For an
	// account without null members they are the same bytes.
	entity, search []byte
}

type index struct {
	id                                 int64
	uid, email, first, last, display   string
	source, inviteState, androidStatus string
	termsAccepted, superUser           bool
	createdAt                          int64
	groups                             []string
}

// newAccount makes an account from a JSON object.
func newAccount(obj []byte) (*account, error) {
	ms, err := parseMembers(obj)
	if err != nil {
		return nil, err
	}
	a := &account{members: ms}
	a.reindex()
	return a, nil
}

// parseMembers splits a JSON object into its members, in order.
func parseMembers(obj []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("cloudtest: an account is not a JSON object: %.40q", obj)
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, v); err != nil {
			return nil, err
		}
		out = append(out, member{key: tok.(string), val: compact.Bytes()})
	}
	return out, nil
}

// materialize gives a generated account its members.
func (a *account) materialize() {
	if a.members != nil || a.gen == 0 {
		return
	}
	ms, err := parseMembers(a.generatedJSON())
	if err != nil {
		panic(err)
	}
	a.members = ms
}

// get returns the value of a member.
func (a *account) get(key string) (json.RawMessage, bool) {
	a.materialize()
	for _, m := range a.members {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

// setRaw sets a member (appending it when new) and drops the caches.
func (a *account) setRaw(key string, v json.RawMessage) {
	a.materialize()
	a.entity, a.search = nil, nil
	for i := range a.members {
		if a.members[i].key == key {
			a.members[i].val = v
			a.reindex()
			return
		}
	}
	a.members = append(a.members, member{key: key, val: v})
	a.reindex()
}

// set sets a member to the JSON encoding of v.
func (a *account) set(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	a.setRaw(key, b)
}

func (a *account) str(key string) string {
	v, _ := a.get(key)
	var s string
	_ = json.Unmarshal(v, &s)
	return s
}

func (a *account) int(key string) int64 {
	v, _ := a.get(key)
	n, _ := strconv.ParseInt(string(v), 10, 64)
	return n
}

func (a *account) bool(key string) bool {
	v, _ := a.get(key)
	return string(v) == "true"
}

func (a *account) reindex() {
	a.index = index{
		id: a.int("id"), uid: a.str("uid"), email: a.str("emailAddress"),
		first: a.str("firstName"), last: a.str("lastName"), display: a.str("displayName"),
		source: a.str("accountSource"), inviteState: a.str("inviteState"), androidStatus: a.str("androidWorkUserStatus"),
		termsAccepted: a.bool("termsAccepted"), superUser: a.bool("superUser"), createdAt: a.int("createdAt"),
	}
	if v, ok := a.get("groups"); ok {
		_ = json.Unmarshal(v, &a.groups)
	}
}

// masking says which members an answer shows as masked (a GDPR profile on
// the API user); nil shows them as stored.
type masking map[string]bool

// maskedValue is what a masked member shows.
var maskedValue = json.RawMessage(`"*****"`)

// encode writes the account's object: every member (entity form) or only
// those that are not null (the listing's form), masked ones replaced.
func (a *account) encode(withNulls bool, mask masking) []byte {
	if len(mask) == 0 {
		if withNulls && a.entity != nil {
			return a.entity
		}
		if !withNulls && a.search != nil {
			return a.search
		}
		if a.members == nil && a.gen > 0 {
			a.entity = a.generatedJSON() // no null members: both forms
			a.search = a.entity
			return a.entity
		}
	}
	a.materialize()
	var b bytes.Buffer
	b.WriteByte('{')
	hasNull := false
	n := 0
	for _, m := range a.members {
		null := isNull(m.val)
		hasNull = hasNull || null
		if null && !withNulls {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		key, _ := json.Marshal(m.key)
		b.Write(key)
		b.WriteByte(':')
		if mask[m.key] && !null {
			b.Write(maskedValue)
		} else {
			b.Write(m.val)
		}
	}
	b.WriteByte('}')
	out := b.Bytes()
	if len(mask) == 0 {
		if withNulls {
			a.entity = out
		} else {
			a.search = out
		}
		if !hasNull {
			a.entity, a.search = out, out
		}
	}
	return out
}

// matches reports whether the account answers the free-text query text
// (lower case) and the filter fq (only UID=… is known).
func (a *account) matches(text, fq string) bool {
	if fq != "" {
		field, want, _ := strings.Cut(fq, "=")
		if !strings.EqualFold(field, "UID") || !strings.EqualFold(a.uid, want) {
			return false
		}
	}
	if text == "" {
		return true
	}
	for _, v := range []string{a.uid, a.email, a.first, a.last, a.display} {
		if strings.Contains(strings.ToLower(v), text) {
			return true
		}
	}
	return false
}

func (a *account) sortKey(field string) string {
	switch field {
	case "displayName":
		return strings.ToLower(a.display)
	case "firstName":
		return strings.ToLower(a.first)
	case "lastName":
		return strings.ToLower(a.last)
	case "emailAddress":
		return strings.ToLower(a.email)
	case "uid":
		return strings.ToLower(a.uid)
	case "createdAt":
		return fmt.Sprintf("%020d", a.createdAt)
	}
	return fmt.Sprintf("%020d", a.id)
}
