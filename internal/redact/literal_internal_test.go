package redact

import (
	"fmt"
	"slices"
	"testing"
)

func TestLiteralFormsAreDistinctAndSkipThePlainForm(t *testing.T) {
	for _, tc := range []struct {
		secret string
		want   []string
	}{
		// Nothing to escape: only the plain form and base64 (both
		// alphabets agree, and the padded form is the raw one).
		{"abc123", []string{"abc123", "YWJjMTIz"}},
		{"abcd", []string{"abcd", "YWJjZA", "YWJjZA=="}},
		{"Adm1n&<Pass>", []string{
			"Adm1n&<Pass>",
			`Adm1n\u0026\u003cPass\u003e`,
			`Adm1n\u0026\u003CPass\u003E`,
			"Adm1n&amp;&lt;Pass&gt;",
			"Adm1n%26%3CPass%3E",
			"Adm1n&%3CPass%3E",
			"Adm1n%26%3cPass%3e",
			"Adm1n&%3cPass%3e",
			"QWRtMW4mPFBhc3M+",
			"QWRtMW4mPFBhc3M-",
		}},
	} {
		got := newLiteral(tc.secret).forms()
		if !slices.Equal(got, tc.want) {
			t.Errorf("forms of %q:\n got %q\nwant %q", tc.secret, got, tc.want)
		}
	}
}

// TestUnescapedSecretsHaveOnlyPlainAndBase64Forms: newLiteral skips the
// encoders for a secret none of them changes; check that none does.
func TestUnescapedSecretsHaveOnlyPlainAndBase64Forms(t *testing.T) {
	for _, secret := range []string{"abcXYZ019", "a.b-c_d~e", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_x"} {
		if !unescaped(secret) {
			t.Fatalf("unescaped(%q) = false", secret)
		}
		for _, f := range slices.Concat(jsonForms(secret), htmlForms(secret), urlForms(secret)) {
			if f != secret {
				t.Errorf("%q has the form %q, yet newLiteral skips the encoders for it", secret, f)
			}
		}
		if got := newLiteral(secret).text; !slices.Equal(got, []string{secret}) {
			t.Errorf("text forms of %q = %q", secret, got)
		}
	}
	for _, secret := range []string{"a b", "a+b", "a/b", "a=b", "ä", "a'b", "a*b", "a!b", "a(b)"} {
		if unescaped(secret) {
			t.Errorf("unescaped(%q) = true", secret)
		}
	}
}

func TestLiteralFormsAreComputedOnceAndTheCacheIsBounded(t *testing.T) {
	const secret = "cache-me-once"
	if a, b := literalFor(secret), literalFor(secret); a != b {
		t.Fatal("the forms of one secret were computed twice")
	}
	for i := range 2 * maxLiterals {
		literalFor(fmt.Sprintf("rotating-token-%d", i))
	}
	literals.Lock()
	n := len(literals.m)
	literals.Unlock()
	if n > maxLiterals {
		t.Fatalf("cache holds %d secrets, want at most %d", n, maxLiterals)
	}
}
