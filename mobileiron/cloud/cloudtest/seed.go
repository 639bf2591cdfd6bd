package cloudtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/internal/lenient"
)

// obfuscated is how the documentation's web pages print every e-mail
// address of the samples.
const obfuscated = "[email protected]"

// sampleEmails gives each account the documentation shows a clean address
// in place of its obfuscated one.
var sampleEmails = map[int64]string{
	AdminID:  Username,
	10004:    "pin.example@example.test",
	10022:    "john.doe@example.test",
	10023:    "new.user@example.test",
	10024:    "testfname.testlame@example.test",
	10051:    "pin.sample@example.test",
	10552:    "invitee@example.test",
	6150167:  "r.m@example.test",
	9931017:  "attributes@example.test",
	11193157: "jdoe@example.test",
	12477207: "password.change@example.test",
	47252222: "delete.me@example.test",
	47253017: "viability@example.test",
}

// seed loads the documentation's sample accounts and the accounts its
// examples name, then the generated ones.
func (s *Server) seed() error {
	samples := []struct {
		file string
		list func(b []byte) ([]json.RawMessage, error)
	}{
		{"get_all_accounts_response.json", searchResults},
		{"search_by_uid_response.json", searchResults},
		{"create_accounts_response.json", func(b []byte) ([]json.RawMessage, error) {
			var env struct{ Result []json.RawMessage }
			err := json.Unmarshal(b, &env)
			return env.Result, err
		}},
		{"create_account_response.json", func(b []byte) ([]json.RawMessage, error) {
			var env struct{ Result json.RawMessage }
			err := json.Unmarshal(b, &env)
			return []json.RawMessage{env.Result}, err
		}},
	}
	for _, sm := range samples {
		raw, err := Fixture(sm.file)
		if err != nil {
			return err
		}
		list, err := sm.list(lenient.Repair(raw))
		if err != nil {
			return fmt.Errorf("cloudtest: %s: %w", sm.file, err)
		}
		for _, obj := range list {
			a, err := newAccount(obj)
			if err != nil {
				return fmt.Errorf("cloudtest: %s: %w", sm.file, err)
			}
			s.clean(a)
			s.insert(a)
		}
	}
	for _, e := range []struct {
		id                   int64
		first, last, display string
		createdAt            int64
		extra                []member
	}{
		{AdminID, "FirstName0001", "LastName0001", "", 1372188600000, []member{{"superUser", json.RawMessage("true")}}},
		{10004, "Pin", "Example", "Pin Example", 1413954000000, nil},
		{10051, "Pin", "Sample", "Pin Sample", 1413954400000, nil},
		{10552, "Invited", "User", "Invited User", 1442949300000, nil},
		{9931017, "Custom", "Attributes", "Custom Attributes", 1500000000000, nil},
		// The Update User Account example: its curl sends edipi=1234567895,
		// passwordNeverExpire=true and a managed Apple ID; the parameter
		// table's GDPR profile is 259. The documentation does not say which
		// JSON type answers give these identifiers: edipi is a number here
		// and the GDPR profile text, so a client must read either.
		{11193157, "John", "Doe", "John Doe", 1510000000000, []member{
			{"edipi", json.RawMessage("1234567895")},
			{"managedAppleId", json.RawMessage(`"jdoe@appleid.example.test"`)},
			{"gdprProfileId", json.RawMessage(`"259"`)},
			{"passwordNeverExpire", json.RawMessage("true")},
			{"androidWorkDeviceAccountEnabled", json.RawMessage("false")},
		}},
		{12477207, "Password", "Change", "Password Change", 1520000000000, nil},
		{47252222, "Delete", "Me", "Delete Me", 1530000000000, nil},
		{47253017, "Viability", "Check", "Viability Check", 1530000000001, nil},
	} {
		a := listedAccount(e.id, e.createdAt, e.first, e.last, e.display, sampleEmails[e.id])
		for _, m := range e.extra {
			a.setRaw(m.key, m.val)
		}
		s.insert(a)
	}

	meta, err := Fixture("metadata_response.json")
	if err != nil {
		return err
	}
	s.metadata = bytes.ReplaceAll(meta, []byte(strconv.Quote(obfuscated)), []byte(strconv.Quote(Username)))
	s.ldapUsers["ldapuser@example.test"] = LDAPUser{UID: "ldapuser@example.test", Email: "ldapuser@example.test", FirstName: "Lee", LastName: "Dap"}
	s.ldapUsers["broken@example.test"] = LDAPUser{UID: "broken@example.test", Email: "broken@example.test", Invalid: true}
	for i := 1; i <= s.cfg.generated; i++ {
		s.insert(generatedAccount(i))
	}
	return nil
}

func searchResults(b []byte) ([]json.RawMessage, error) {
	var env struct {
		Result struct {
			SearchResults []json.RawMessage `json:"searchResults"`
		} `json:"result"`
	}
	err := json.Unmarshal(b, &env)
	return env.Result.SearchResults, err
}

// clean replaces the obfuscated addresses of a sample account.
func (s *Server) clean(a *account) {
	email, ok := sampleEmails[a.id]
	if !ok {
		email = "user" + strconv.FormatInt(a.id, 10) + "@example.test"
	}
	for _, key := range []string{"uid", "emailAddress"} {
		if a.str(key) == obfuscated {
			a.set(key, email)
		}
	}
}

// listedAccount is an account with the members of the Get All Accounts
// sample, in its order.
func listedAccount(id, createdAt int64, first, last, display, email string) *account {
	obj := fmt.Sprintf(`{"id":%d,"createdAt":%d,"displayName":%s,"firstName":%s,"lastName":%s,"uid":%s,"emailAddress":%s,`+
		`"accountSource":"LOCAL","inviteState":"Completed","inviteResendCount":0,"accountType":"USER","enabled":true,"locked":false,`+
		`"superUser":false,"termsAccepted":true,"accountSettings":"null","mutable":true,"loginFailureCount":0,"passwordHistory":"{}",`+
		`"androidWorkUserStatus":"NONE","androidWorkRetryCount":0,"registrationPin":{"createdAt":null,"expiresAt":null,"pin":null,"used":false},`+
		`"groups":["All Users"],"deviceCount":0}`,
		id, createdAt, quote(display), quote(first), quote(last), quote(email), quote(email))
	a, err := newAccount([]byte(obj))
	if err != nil {
		panic(err)
	}
	return a
}

func quote(s string) string {
	if s == "" {
		return "null"
	}
	return strconv.Quote(s)
}

// generatedAccount is synthetic account n, with the listing sample's
// members. Its members are parsed only when a call changes it, so a fake
// with 100 000 of them stays small.
func generatedAccount(n int) *account {
	email := fmt.Sprintf("user%06d@example.test", n)
	a := &account{gen: n, index: index{
		id: int64(1_000_000 + n), uid: email, email: email, first: "User", last: fmt.Sprintf("%06d", n),
		display: fmt.Sprintf("User %06d", n), source: "LOCAL", inviteState: "Pending", androidStatus: "NONE",
		createdAt: 1442949222375 + int64(n), groups: allUsers,
	}}
	return a
}

var allUsers = []string{"All Users"}

// generatedJSON is the object of a generated account (no null members).
func (a *account) generatedJSON() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%d,"createdAt":%d,"displayName":%q,"firstName":"User","lastName":%q,"uid":%q,"emailAddress":%q,`+
		`"accountSource":"LOCAL","inviteState":"Pending","inviteResendCount":0,"accountType":"USER","enabled":true,"locked":false,`+
		`"superUser":false,"termsAccepted":false,"accountSettings":"null","mutable":true,"loginFailureCount":0,"passwordHistory":"{}",`+
		`"androidWorkUserStatus":"NONE","androidWorkRetryCount":0,"registrationPin":{"createdAt":null,"expiresAt":null,"pin":null,"used":false},`+
		`"groups":["All Users"],"deviceCount":0}`, a.id, a.createdAt, a.display, a.last, a.uid, a.email)
	return []byte(b.String())
}
