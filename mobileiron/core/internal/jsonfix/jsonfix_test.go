package jsonfix_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

func TestCleanRepairsDocumentationArtefacts(t *testing.T) {
	in := "{\n\u00a0\u00a0\"results\": [\n\u00a0\u00a0\u00a0\u00a0{\"id\": 2, \"note\": \"a\u00a0b ... c,]\"},\n...\n\u00a0\u00a0],\n\"more\": [1, …\n]\n}"
	var got map[string]any
	if err := json.Unmarshal(jsonfix.Clean([]byte(in)), &got); err != nil {
		t.Fatalf("cleaned sample does not decode: %v\n%s", err, jsonfix.Clean([]byte(in)))
	}
	want := map[string]any{
		"results": []any{map[string]any{"id": 2.0, "note": "a\u00a0b ... c,]"}},
		"more":    []any{1.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestCleanKeepsValidJSON(t *testing.T) {
	in := `{"a":"x\"...\u00a0,}","b":[1,2]}`
	if got := string(jsonfix.Clean([]byte(in))); got != in {
		t.Errorf("Clean changed valid JSON:\n got %s\nwant %s", got, in)
	}
}

func TestUnmarshalFallsBackOnlyForSyntaxErrors(t *testing.T) {
	var v struct{ A int }
	if err := jsonfix.Unmarshal([]byte("{\u00a0\"A\": 1,}"), &v); err != nil || v.A != 1 {
		t.Fatalf("Unmarshal = %v, A=%d", err, v.A)
	}
	if err := jsonfix.Unmarshal([]byte(`{"A": "text"}`), &v); err == nil {
		t.Fatal("type mismatch must stay an error")
	}
	if err := jsonfix.Unmarshal([]byte(`{"A": `), &v); err == nil {
		t.Fatal("truncated JSON must stay an error")
	}
}
