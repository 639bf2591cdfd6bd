package oracletest

import (
	"fmt"
	"iter"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/interop"
)

// NotOperations are the exported methods every client has (the generated
// surface, internal/cmd/gensurface) that send nothing of their own: the
// escape hatch (Do sends what the caller built; the negative controls use
// it) and accessors. A client with further such methods adds them to a
// copy.
var NotOperations = map[string]string{
	"Close": "releases idle connections",
	"Do":    "sends a request the caller built; used by the negative control",
	"Raw":   "returns the generated client",
}

// Seeds are the Prism seeds of the dynamic runs: each makes Prism generate
// every answer from the schema (json-schema-faker), reproducibly.
var Seeds = []int{1, 2, 3, 4, 5}

// Mode is one way of asking Prism for answers: Prefer is the Prefer
// header ("" for the documents' static examples).
type Mode struct{ Name, Prefer string }

// PrismModes are the static mode and one dynamic mode per seed.
func PrismModes() []Mode {
	out := []Mode{{Name: "static"}}
	for _, s := range Seeds {
		out = append(out, Mode{Name: fmt.Sprintf("dynamic-seed%d", s), Prefer: fmt.Sprintf("dynamic=true, seed=%d", s)})
	}
	return out
}

// First reads the first item of a lazy list and stops: Prism answers the
// same page for every page number, which the pager rightly refuses.
func First[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		return err
	}
	return nil
}

// Err1 drops a call's result and keeps its error, so that every row of an
// operation table has the same type.
func Err1[T any](_ T, err error) error { return err }

// OperationMethods are the exported methods of a client type that are
// operations, by reflection, so that a new operation without a row fails.
func OperationMethods(typ reflect.Type, skip map[string]string) []string {
	var out []string
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; skip[name] == "" {
			out = append(out, name)
		}
	}
	return out
}

// CheckCoverage fails the test for an operation without a row and for a
// row that names no operation.
func CheckCoverage[R any](t *testing.T, methods []string, rows map[string]R) {
	t.Helper()
	for _, m := range methods {
		if _, ok := rows[m]; !ok {
			t.Errorf("operation %s has no row in the Prism table: add one", m)
		}
	}
	for name := range rows {
		if !slices.Contains(methods, name) {
			t.Errorf("row %s names no exported operation", name)
		}
	}
}

// Tally is what a Prism oracle's closing line reports.
type Tally struct {
	Operations, Requests, Violations, DecodeFailures, Defects, Controls int
	// AnswerViolations: Prism's answers that break their own document;
	// PrismFailures: answers Prism could not make from the document.
	AnswerViolations, PrismFailures int
	// CutLists: attribute-carrying requests whose violation list Prism cut
	// short inside the attributes; Unanswerable: answers Prism cannot
	// write because of the document's media type.
	CutLists, Unanswerable int
	// InconsistentPages: dynamic answers whose page count contradicts
	// its items (a few items, a random totalItems far past them), which
	// the client refuses as a paging mismatch, as it must a real server's.
	InconsistentPages int
}

func (s Tally) String() string {
	return fmt.Sprintf("operations=%d requests=%d violations=%d decode_failures=%d controls_flagged=%d document_defect_seen=%d defect_lists_cut_short=%d answers_breaking_their_document=%d answers_prism_could_not_make=%d answers_of_media_type_any=%d dynamic_pages_refused_as_inconsistent=%d",
		s.Operations, s.Requests, s.Violations, s.DecodeFailures, s.Controls, s.Defects, s.CutLists, s.AnswerViolations, s.PrismFailures, s.Unanswerable, s.InconsistentPages)
}

// OpenSSLTally counts what openssl read.
type OpenSSLTally struct{ Files, Checks, Failures int }

// run runs openssl once and counts the check.
func (tally *OpenSSLTally) run(t *testing.T, what string, stdin []byte, args ...string) string {
	t.Helper()
	tally.Checks++
	out, err := interop.OpenSSL(t, stdin, args...)
	if err != nil {
		tally.Failures++
		t.Errorf("%s: %v", what, err)
	}
	return out
}

// CheckPKCS12 reads a PKCS#12 file with openssl: the whole structure
// (pkcs12 -info, MAC and encryption included), the certificate (x509) and
// the key (pkey), and that the key is the certificate's.
func (tally *OpenSSLTally) CheckPKCS12(t *testing.T, path, password string) {
	t.Helper()
	tally.Files++
	pass := "pass:" + password
	what := filepath.Base(path)
	tally.run(t, what, nil, "pkcs12", "-info", "-noout", "-in", path, "-passin", pass)
	certPEM := tally.run(t, what, nil, "pkcs12", "-in", path, "-passin", pass, "-nokeys", "-clcerts")
	keyPEM := tally.run(t, what, nil, "pkcs12", "-in", path, "-passin", pass, "-nocerts", "-nodes")
	tally.CheckPair(t, what, []byte(certPEM), []byte(keyPEM))
}

// CheckPair checks a certificate and key (PEM) with x509 and pkey and
// compares the certificate's public key with the key's.
func (tally *OpenSSLTally) CheckPair(t *testing.T, what string, certPEM, keyPEM []byte) {
	t.Helper()
	tally.run(t, what, certPEM, "x509", "-noout", "-subject", "-issuer", "-dates")
	tally.run(t, what, keyPEM, "pkey", "-check", "-noout")
	certPub := tally.run(t, what, certPEM, "x509", "-noout", "-pubkey")
	keyPub := tally.run(t, what, keyPEM, "pkey", "-pubout")
	tally.Checks++
	if strings.TrimSpace(certPub) == "" || strings.TrimSpace(certPub) != strings.TrimSpace(keyPub) {
		tally.Failures++
		t.Errorf("%s: openssl says the key is not the certificate's:\ncertificate %s\nkey %s", what, certPub, keyPub)
	}
}
