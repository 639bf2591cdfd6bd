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

func TestParseViolationsSplitsRequestFromAnswer(t *testing.T) {
	req, resp := parseViolations(`[{"location":["request","body","name"],"severity":"Error","message":"must be string"},{"location":["response","body","id"],"severity":"Error","message":"must be integer"}]`)
	if len(req) != 1 || req[0].Message != "must be string" || len(resp) != 1 || resp[0].Message != "must be integer" {
		t.Fatalf("request %v, response %v", req, resp)
	}
}

func TestParseViolationsCutShort(t *testing.T) {
	// Cut inside the request's own violations: the rest is unknown and
	// counts as a request violation.
	req, resp := parseViolations(`Too many violations! [{"location":["request","body"],"severity":"Error","message":"a"},{"location":["requ`)
	if len(resp) != 0 || len(req) != 2 || req[1].Location[1] != "(unknown)" {
		t.Fatalf("cut among the request's violations: request %v, response %v", req, resp)
	}
	// Cut among the answer's: every request violation came before.
	req, resp = parseViolations(`Too many violations! [{"location":["request","body"],"severity":"Error","message":"a"},{"location":["response","body"],"severity":"Error","message":"b"},{"location":["respo`)
	if len(req) != 1 || len(resp) != 1 {
		t.Fatalf("cut among the answer's violations: request %v, response %v", req, resp)
	}
	if req, resp := parseViolations(""); req != nil || resp != nil {
		t.Fatalf("no header: %v %v", req, resp)
	}
}
