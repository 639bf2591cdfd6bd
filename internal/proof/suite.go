package proof

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Suite is one vendor's registration with the proof suite. A vendor
// package runs it from its own tests (proof_test.go beside the client),
// so `go test ./<vendor>/...` proves that vendor and nothing here names
// a vendor.
type Suite struct {
	// Client is the vendor's *Client type; Coverage reads its methods.
	Client reflect.Type
	// Matrix builds the vendor's fakes and clients for the fault matrix and
	// the secrets proof (several builders when the operations are spread
	// over fakes of their own); the first one alone must hold every
	// operation that Coverage checks, or they must together.
	Matrix []Builder
	// SecretsOnly are further setups (another authentication scheme) that
	// only the secrets proof runs.
	SecretsOnly []Builder
	// Concurrency sets up the vendor's concurrency mix.
	Concurrency func(t *testing.T) *ConcVendor
	// NotInMatrix names each exported *Client method without a fault-matrix
	// row, with the reason it has none.
	NotInMatrix map[string]string
	// Root is the folder whose testdata folders the secrets proof scans
	// (the vendor's own: ".").
	Root string
}

// Run runs the suite's proofs as subtests: faults, secrets, concurrency
// and coverage.
func Run(t *testing.T, s Suite) {
	t.Run("faults", func(t *testing.T) { FaultMatrix(t, s.Matrix...) })
	t.Run("secrets", func(t *testing.T) { Secrets(t, s.Root, slices.Concat(s.Matrix, s.SecretsOnly)...) })
	t.Run("concurrency", func(t *testing.T) { Concurrency(t, s.Concurrency) })
	t.Run("coverage", func(t *testing.T) { Coverage(t, s.Client, s.NotInMatrix, s.Matrix...) })
}

// surfaceMethods are the methods internal/cmd/gensurface gives every
// client: they run no operation of their own.
var surfaceMethods = map[string]string{
	"Close": "releases idle connections; sends nothing",
	"Do":    "sends a request the caller built: the generic escape hatch, proven by internal/transport's tests",
}

// Coverage fails unless every exported method of client has a row in the
// matrix of the vendors built, or an entry in excluded with its reason,
// so that a new operation cannot be left out of the matrix unnoticed. An
// exclusion of a method that has a row, or that does not exist, fails too.
func Coverage(t *testing.T, client reflect.Type, excluded map[string]string, builders ...Builder) {
	if client == nil || client.Kind() != reflect.Pointer {
		t.Fatalf("Suite.Client is %v, want the vendor's *Client", client)
	}
	rows := map[string]bool{}
	for _, build := range builders {
		for _, op := range build(t, DefaultSecrets).Ops {
			rows[op.Name] = true
		}
	}
	methods := map[string]bool{}
	for m := range client.Methods() {
		methods[m.Name] = true
		reason, ok := excluded[m.Name]
		if !ok {
			reason, ok = surfaceMethods[m.Name]
		}
		switch {
		case rows[m.Name] && ok && excluded[m.Name] != "":
			t.Errorf("%s.%s has a matrix row and an exclusion: drop the exclusion", client, m.Name)
		case !rows[m.Name] && !ok:
			t.Errorf("%s.%s has no fault-matrix row: add one to the vendor's proof_test.go, or exclude it with a reason", client, m.Name)
		case !rows[m.Name] && strings.TrimSpace(reason) == "":
			t.Errorf("%s.%s is excluded without a reason", client, m.Name)
		}
	}
	for name := range excluded {
		if !methods[name] {
			t.Errorf("exclusion of %s: %s has no such method", name, client)
		}
	}
	if len(rows) == 0 {
		t.Error("no operation has a row")
	}
}
