package redact

import (
	"strings"
	"testing"
)

// TestEveryListedNameReachesEveryRule: the rules are written from
// secretNames and authSchemes; a name left out of one would show here.
func TestEveryListedNameReachesEveryRule(t *testing.T) {
	for _, entry := range secretNames {
		word, suffix := strings.CutPrefix(entry, "*")
		names := []string{word, strings.ToUpper(word)}
		if suffix {
			names = append(names, "new_"+word, "X-"+word)
		} else if IsSecretName("x" + word) {
			t.Errorf("exact name %q matches x%s", word, word)
		}
		for _, name := range names {
			if !IsSecretName(name) {
				t.Errorf("IsSecretName(%q) = false", name)
			}
			for _, text := range []string{
				`{"` + name + `":"v4lue9"}`,
				`{"` + name + `":42}`,
				"a=1&" + name + "=v4lue9",
				name + ": v4lue9",
			} {
				if got := String(text); !strings.Contains(got, Mask) || strings.Contains(got, "v4lue9") || strings.Contains(got, "42") {
					t.Errorf("String(%q) = %q", text, got)
				}
			}
		}
	}
	for _, scheme := range authSchemes {
		text := "sent " + scheme + " v4lue9v4lue9"
		if got := String(text); got != "sent "+scheme+" "+Mask {
			t.Errorf("String(%q) = %q", text, got)
		}
	}
}
