package interop

import "testing"

func TestInCIReadsTheCIVariable(t *testing.T) {
	t.Setenv("CI", "true")
	if !InCI() {
		t.Fatal("CI=true: InCI() = false")
	}
	t.Setenv("CI", "")
	if InCI() {
		t.Fatal("CI unset: InCI() = true")
	}
}

func TestMissingFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	rec := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }() // Fatalf on the recorder panics to stop here
		Missing(rec, "nothing", "none.sh")
	}()
	if !rec.failed || rec.skipped {
		t.Fatalf("in CI a missing oracle must fail, not skip: failed=%v skipped=%v", rec.failed, rec.skipped)
	}
}

func TestMissingSkipsLocally(t *testing.T) {
	t.Setenv("CI", "")
	rec := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		Missing(rec, "nothing", "none.sh")
	}()
	if rec.failed || !rec.skipped {
		t.Fatalf("outside CI a missing oracle must skip: failed=%v skipped=%v", rec.failed, rec.skipped)
	}
}

type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic("fatal") }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true; panic("skip") }
