package mimcm

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// errorInBody's shortcut (answerByFirstMember) may only skip the decoder
// where the decoder would have found no error object: for every body
// where it says "an answer", OnlyMembers refuses the body too.
func FuzzErrorInBodyShortcut(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b)
	}
	for _, s := range append(hostileBodies, shortcutBodies...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !answerByFirstMember(body) {
			return
		}
		if _, ok := transport.OnlyMembers(body, webAPIErrorMembers...); ok {
			t.Fatalf("%q taken for an answer, but it is made of the error's members", body)
		}
		if errorInBody(body) != nil {
			t.Fatalf("%q: the shortcut said answer, errorInBody said error", body)
		}
	})
}

// shortcutBodies are the edges of answerByFirstMember: the error's members
// in other letter cases, escaped, behind white space and a byte-order mark.
var shortcutBodies = []string{
	`{"message":"x"}`,
	`{"MESSAGE":"x"}`,
	`{"mEsSaGe":"x","stacktrace":null}`,
	`{"\u004dessage":"x"}`,
	"{\"Me\u017f\u017fage\":\"x\"}", // ſ folds to s
	"\ufeff {\"Message\":\"x\"}",
	" \t\r\n{ \n\"Message\" : \"x\"}",
	`{"ModelState":{},"Message":"x"}`,
	`{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099","Message":"x"}`,
	`{"Messages":"x"}`,
	`{"Messag":"x"}`,
	`{"":"x"}`,
	`{"Uuid"`,
	`{"Uuid`,
	`{ }`,
	`{`,
	"\ufeff\ufeff{\"Uuid\":1}",
}

// The shortcut's verdicts: it takes an answer for an answer, and leaves
// every error object, and anything it cannot read at a glance, to
// OnlyMembers.
func TestErrorInBodyShortcut(t *testing.T) {
	answers := []string{
		`{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"}`,
		`{"Comment":"","Completed":"0001-01-01T00:00:00"}`,
		"\ufeff {\"Uuid\":1}",
		` {"Messages":"x"}`,
		`{"Messag":"x"}`,
		`{"":1}`,
		`{"Uuid"`,
	}
	for _, s := range answers {
		if !answerByFirstMember([]byte(s)) {
			t.Errorf("%q: not taken for an answer", s)
		}
	}
	for _, s := range []string{
		`{"Message":"x"}`, `{"message":"x"}`, `{"CORRELATIONID":"x"}`, " \t\r\n{ \n\"Message\" : \"x\"}",
		"\ufeff{\"Message\":\"x\"}", `{"\u004dessage":"x"}`, "{\"Me\u017f\u017fage\":\"x\"}",
		`{}`, `{ }`, `[]`, `"text"`, ``, `{"Uuid`, "\ufeff\ufeff{\"Uuid\":1}",
	} {
		if answerByFirstMember([]byte(s)) {
			t.Errorf("%q: taken for an answer without the decoder", s)
		}
	}
	// Every error object of the lists' check still is one.
	for _, s := range []string{`{"message":"The request is invalid.","modelState":{"status":["bad value"]}}`,
		"\ufeff {\"Message\":\"x\"}", `{"\u004dessage":"x"}`, `{"StackTrace":null,"MESSAGE":"x"}`} {
		if errorInBody([]byte(s)) == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

// What the shortcut is for: an answer costs errorInBody no allocation.
// The fake's answer to GetRequest is the body P1 measures.
func TestErrorInBodyAllocatesNothingOnAnAnswer(t *testing.T) {
	body := []byte(`{"Comment":"","Completed":"0001-01-01T00:00:00","DataCollection":[],"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"}`)
	if n := testing.AllocsPerRun(100, func() {
		if errorInBody(body) != nil {
			t.Fatal("an answer taken for an error")
		}
	}); n != 0 {
		t.Fatalf("errorInBody allocates %v times on an answer", n)
	}
}

// The conversion puts each GUID in its own field, behind its own pointer,
// and maps the all-zero GUID to nil; converting back gives the wire
// model again.
func TestRequestConversionKeepsEachGUID(t *testing.T) {
	ids := make([]uuid.UUID, 7)
	for i := range ids {
		ids[i] = uuid.UUID{byte(i + 1), 0xab}
	}
	submitted := time.Date(2015, 7, 7, 23, 36, 21, 930000000, time.UTC)
	value := "v"
	w := mimcmapi.Request{
		Uuid: uuid.UUID{0xee}, RequestType: 1, Status: 3, Flags: 4, DataCollectionFlags: 5, Priority: 6,
		DataCollection:     []mimcmapi.DataCollectionItem{{Name: "n", Value: &value}},
		OriginatorUserUuid: ids[0], TargetUserUuid: ids[1], NewProfileUuid: ids[2], OldProfileUuid: ids[3],
		NewSmartcardUuid: ids[4], OldSmartcardUuid: ids[5], ProfileTemplateUuid: ids[6],
		Submitted: mimcmapi.DateTime{Time: submitted}, Comment: "c", SecurityDescriptor: "O:BA",
		IsSmartcard: true, IsEnrollmentAgent: true, IsDataCollectionComplete: true,
	}
	for name, r := range map[string]Request{"fromWire": fromWire(&w), "newRequest": *newRequest(&w)} {
		got := []*uuid.UUID{r.OriginatorUserUUID, r.TargetUserUUID, r.NewProfileUUID, r.OldProfileUUID,
			r.NewSmartcardUUID, r.OldSmartcardUUID, r.ProfileTemplateUUID}
		for i, p := range got {
			if p == nil || *p != ids[i] {
				t.Fatalf("%s: GUID %d is %v, want %v", name, i, p, ids[i])
			}
		}
		*got[0] = uuid.Nil // the caller changes one GUID: no other moves
		for i, p := range got[1:] {
			if *p != ids[i+1] {
				t.Fatalf("%s: changing one GUID changed GUID %d", name, i+1)
			}
		}
		*got[0] = ids[0]
		if back := toWire(r); !reflect.DeepEqual(back, w) {
			t.Fatalf("%s: round trip\n got %+v\nwant %+v", name, back, w)
		}
	}
	w.TargetUserUuid, w.ProfileTemplateUuid = uuid.Nil, uuid.Nil
	r := newRequest(&w)
	if r.TargetUserUUID != nil || r.ProfileTemplateUUID != nil || r.OldProfileUUID == nil || *r.OldProfileUUID != ids[3] {
		t.Fatalf("all-zero GUIDs: %+v", r)
	}
	none := fromWire(&mimcmapi.Request{})
	if none.OriginatorUserUUID != nil || none.DataCollection == nil {
		t.Fatalf("empty request: %+v", none)
	}
}

// The sample requests decode through Request.UnmarshalJSON as before:
// the testdata answers stay readable.
func TestSampleRequestsDecode(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("mimcmtest", "testdata", "*.json"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"RequestType"`)) || !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			continue
		}
		var r Request
		if err := r.UnmarshalJSON(b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkRequest(t, r)
		n++
	}
	if n == 0 {
		t.Fatal("no sample request in testdata")
	}
}
