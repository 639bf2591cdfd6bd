package jsonfix_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

// samples are the vendor's Core samples (coretest/testdata), byte for byte:
// the documentation's rendering with non-breaking spaces and elisions.
func samples(f *testing.F) [][]byte {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("..", "..", "coretest", "testdata", "*.json"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzClean checks the repair of Core's documentation samples: it never
// grows the text, leaves valid JSON byte for byte as it is, and Unmarshal
// decodes valid JSON exactly as encoding/json does, repaired text exactly
// as the repaired bytes, and reports failures with the original bytes'
// error.
func FuzzClean(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b)
	}
	for _, s := range []string{
		`[1,,]`, `[1, ... ]`, "[1,\u2026]", `{"a":"...","b":"\u2026",}`, "\u00a0{\u00a0}\u00a0", "\xc2", "\xe2\x80",
		`"\`, `"\"...`, `[..]`, `....`, "..\u2026.", `{"a":1,...}`, `{,}`, `[,]`, strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"messages":[{"type":"Error", ... }]}`, `1.5`, `-0.0e+1`, `"a\u00a0b"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := jsonfix.Clean(b)
		if len(out) > len(b) {
			t.Fatalf("Clean grew %d bytes to %d", len(b), len(out))
		}
		if len(out) > 0 && len(b) > 0 && &out[0] == &b[0] {
			t.Fatal("Clean returned its input, not a copy")
		}
		valid := json.Valid(b)
		if valid && !bytes.Equal(out, b) {
			t.Fatalf("valid JSON changed: %q -> %q", b, out)
		}

		var got any
		err := jsonfix.Unmarshal(b, &got)
		var want any
		wantErr := json.Unmarshal(b, &want)
		switch {
		case valid:
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("valid JSON %q decoded to %v, %v; encoding/json gives %v", b, got, err, want)
			}
		case err == nil:
			var repaired any
			if rerr := json.Unmarshal(out, &repaired); rerr != nil || !reflect.DeepEqual(got, repaired) {
				t.Fatalf("%q decoded to %v; its repair %q to %v, %v", b, got, out, repaired, rerr)
			}
		default:
			if wantErr == nil || err.Error() != wantErr.Error() {
				t.Fatalf("error %v, want the original bytes' error %v", err, wantErr)
			}
		}
	})
}

// FuzzCleanKeepsStrings puts arbitrary text inside a string of a sample
// shaped like the documentation's (non-breaking spaces, an elision and its
// trailing comma around it): the repair must never touch it.
func FuzzCleanKeepsStrings(f *testing.F) {
	for _, s := range []string{"", "...", "\u2026", "a, ]", "\u00a0", `\`, `"`, "x,}", "\xc2\xa0...\xe2\x80\xa6", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := json.Unmarshal(q, &want); err != nil {
			t.Fatal(err)
		}
		doc := "{\n\u00a0\u00a0\"messages\": [\n\u00a0\u00a0\u00a0\u00a0{\"localizedMessage\": " + string(q) + "},\n\u00a0\u00a0\u00a0\u00a0...\n\u00a0\u00a0],\n\u00a0\u00a0" + string(q) + ": " + string(q) + ",\n\u2026\n}"
		var got struct {
			Messages []struct {
				LocalizedMessage string `json:"localizedMessage"`
			} `json:"messages"`
		}
		var all map[string]any
		if err := jsonfix.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if err := jsonfix.Unmarshal([]byte(doc), &all); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if len(got.Messages) != 1 || got.Messages[0].LocalizedMessage != want {
			t.Fatalf("string %q came back as %+v", want, got.Messages)
		}
		if v, ok := all[want]; want != "messages" && (!ok || v != want) {
			t.Fatalf("member %q came back as %v", want, all)
		}
	})
}
