//go:build audit

package audit21

import (
	"go/types"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// workflowVendors are the vendors with a workflow (a wait, a poll, a resume).
var workflowVendors = []string{"mobileiron/core", "mobileiron/cloud", "mimcm", "czertainly", "enterpriseadmin"}

func funcSig(t *testing.T, rel, name string) (string, bool) {
	o := lookup(t, rel, name)
	f, ok := o.(*types.Func)
	if !ok {
		return "", false
	}
	return typeString(t, rel, f.Type()), true
}

// Issue: "Waiting for approval is WithApprovalWait(time.Duration), a call
// option, in mimcm. In czertainly it is WithApprovalWait(bool) …" and "One
// workflow vocabulary serves every vendor: wait, … progress. … each vendor
// package exposes it under the same names and types."
// Every workflow option that exists anywhere has the same signature
// everywhere, and the ones every waiting vendor needs exist.
func TestVocabularyWorkflowOptionSignatures(t *testing.T) {
	want := map[string]*regexp.Regexp{
		"WithPollInterval": regexp.MustCompile(`^func\(d time\.Duration\) ClientOrCallOption$`),
		"WithWaitTimeout":  regexp.MustCompile(`^func\(d time\.Duration\) ClientOrCallOption$`),
		"WithApprovalWait": regexp.MustCompile(`^func\(d time\.Duration\) ClientOrCallOption$`),
		"WithPollBackoff":  regexp.MustCompile(`^func\(multiplier float64, maxInterval time\.Duration\) ClientOrCallOption$`),
		"WithProgress":     regexp.MustCompile(`^func\(fn func\([A-Za-z]+\)\) ClientOrCallOption$`),
	}
	required := map[string][]string{
		"WithPollInterval": workflowVendors,
		"WithProgress":     workflowVendors,
		"WithApprovalWait": {"mimcm", "czertainly"},
		"WithWaitTimeout":  {"mobileiron/core", "mobileiron/cloud", "czertainly", "enterpriseadmin"},
	}
	for _, v := range vendors {
		for name, re := range want {
			sig, ok := funcSig(t, v, name)
			if !ok {
				if slices.Contains(required[name], v) {
					t.Errorf("%s: %s missing", v, name)
				}
				continue
			}
			if !re.MatchString(sig) {
				t.Errorf("%s.%s is %s, want %s", v, name, sig, re)
			}
		}
	}
}

// Issue: "Polling and progress options follow four naming schemes." Any
// exported option (or input-struct field) about polling, waiting or progress
// must use one of the shared names; anything else is a further scheme.
func TestVocabularyNoOtherPollingScheme(t *testing.T) {
	canonical := []string{"WithPollInterval", "WithPollBackoff", "WithWaitTimeout", "WithApprovalWait", "WithProgress", "WithTimeout"}
	topic := regexp.MustCompile(`(?i)poll|wait|interval|backoff|progress|approval|deadline|every`)
	for _, v := range vendors {
		sc := pkgTypes(t, v).Scope()
		for _, name := range sc.Names() {
			o := sc.Lookup(name)
			if !o.Exported() {
				continue
			}
			if f, ok := o.(*types.Func); ok {
				res := f.Type().(*types.Signature).Results()
				if res.Len() == 1 && strings.HasSuffix(typeString(t, v, res.At(0).Type()), "Option") &&
					topic.MatchString(name) && !slices.Contains(canonical, name) {
					t.Errorf("%s.%s: a polling/progress option outside the shared names", v, name)
				}
			}
			// Input structs carrying their own poll/wait knobs.
			if tn, ok := o.(*types.TypeName); ok && strings.HasSuffix(name, "Input") {
				if st, ok := tn.Type().Underlying().(*types.Struct); ok {
					for i := range st.NumFields() {
						fd := st.Field(i)
						if fd.Exported() && regexp.MustCompile(`(?i)poll|interval|backoff|progress|waittimeout|approvalwait`).MatchString(fd.Name()) {
							t.Errorf("%s.%s.%s (%s): a polling knob in an input struct, not a shared option", v, name, fd.Name(), typeString(t, v, fd.Type()))
						}
					}
				}
			}
		}
	}
}

// Issue: "The pending sentinel is ErrApprovalPending in one package and
// ErrPendingApproval in the other." Same names everywhere: ErrPending and
// ErrApprovalPending, and no vendor keeps another spelling.
func TestVocabularyPendingSentinels(t *testing.T) {
	for _, v := range []string{"mimcm", "czertainly"} {
		for _, n := range []string{"ErrPending", "ErrApprovalPending"} {
			o, ok := lookup(t, v, n).(*types.Var)
			if !ok || o.Type().String() != "error" {
				t.Errorf("%s.%s missing or not an error var", v, n)
			}
		}
	}
	other := regexp.MustCompile(`^Err(PendingApproval|AwaitingApproval|Approval[A-Z].*|.*Pending[A-Z].*)$`)
	for _, v := range vendors {
		for _, n := range pkgTypes(t, v).Scope().Names() {
			if other.MatchString(n) && n != "ErrApprovalPending" {
				t.Errorf("%s.%s: another spelling of the pending sentinel", v, n)
			}
		}
	}
}

// Issue: "Resuming takes a request ID plus the input in one package and a
// *PendingError in the other." Both take (ctx, *PendingError, ...CallOption).
func TestVocabularyResume(t *testing.T) {
	var sigs []string
	for _, v := range []string{"mimcm", "czertainly"} {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(lookup(t, v, "Client").Type()), false, pkgTypes(t, v), "ResumeEnrollment")
		f, ok := obj.(*types.Func)
		if !ok {
			t.Errorf("%s: no (*Client).ResumeEnrollment", v)
			continue
		}
		sig := typeString(t, v, f.Type())
		if !regexp.MustCompile(`^func\(ctx context\.Context, [a-z]+ \*PendingError, opts \.\.\.CallOption\) \(\*[A-Za-z]+, error\)$`).MatchString(sig) {
			t.Errorf("%s.ResumeEnrollment is %s", v, sig)
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 2 && sigs[0] != sigs[1] {
		t.Errorf("ResumeEnrollment differs: mimcm %s, czertainly %s", sigs[0], sigs[1])
	}
}

func field(t *testing.T, v, typ, name string) (string, bool) {
	o := lookup(t, v, typ)
	if o == nil {
		return "", false
	}
	st, ok := o.Type().Underlying().(*types.Struct)
	if !ok {
		return "", false
	}
	for i := range st.NumFields() {
		if st.Field(i).Name() == name {
			return typeString(t, v, st.Field(i).Type()), true
		}
	}
	return "", false
}

// Issue: "One workflow vocabulary serves every vendor: … stage and next step,
// progress. … each vendor package exposes it under the same names and types."
// Stage is an int-based stage type in EnrollError, PendingError and
// Progress; Next is a string; a stage constant with the same name has the same
// number and String in every package.
func TestVocabularyStageAndNext(t *testing.T) {
	for _, v := range []string{"mimcm", "czertainly"} {
		st := lookup(t, v, "EnrollStage")
		if st == nil || st.Type().Underlying().String() != "int" {
			t.Errorf("%s.EnrollStage missing or not int", v)
		}
		for _, typ := range []string{"EnrollError", "PendingError", "Progress"} {
			if got, ok := field(t, v, typ, "Stage"); got != "EnrollStage" {
				t.Errorf("%s.%s.Stage = %q (present %v), want EnrollStage", v, typ, got, ok)
			}
		}
		for _, typ := range []string{"EnrollError", "PendingError"} {
			if got, _ := field(t, v, typ, "Err"); got != "error" {
				t.Errorf("%s.%s.Err = %q, want error", v, typ, got)
			}
		}
		if got, _ := field(t, v, "EnrollError", "Next"); got != "string" {
			t.Errorf("%s.EnrollError.Next = %q, want string", v, got)
		}
	}
	if got, _ := field(t, "enterpriseadmin", "RotationError", "Next"); got != "string" {
		t.Errorf("enterpriseadmin.RotationError.Next = %q, want string", got)
	}
	if got, _ := field(t, "enterpriseadmin", "Progress", "Stage"); got != "RotationStage" {
		t.Errorf("enterpriseadmin.Progress.Stage = %q", got)
	}
	// Same EnrollStage constant name → same number across packages
	// (enterpriseadmin's RotationStage is another workflow with its own type).
	vals := map[string]map[string]string{}
	for _, v := range []string{"mimcm", "czertainly"} {
		sc := pkgTypes(t, v).Scope()
		for _, n := range sc.Names() {
			c, ok := sc.Lookup(n).(*types.Const)
			if !ok {
				continue
			}
			tn := typeString(t, v, c.Type())
			if tn != "EnrollStage" && tn != "RotationStage" {
				continue
			}
			// EnrollStageAwaitingApproval → AwaitingApproval
			key := strings.TrimPrefix(strings.TrimPrefix(n, "EnrollStage"), "RotationStage")
			if vals[key] == nil {
				vals[key] = map[string]string{}
			}
			vals[key][v] = c.Val().String()
		}
	}
	for k, m := range vals {
		var first string
		for _, x := range m {
			if first == "" {
				first = x
			} else if x != first {
				t.Errorf("stage %s has different numbers across vendors: %v", k, m)
				break
			}
		}
	}
}

// Issue: "Token sources: … Keep one, shared." and the vocabulary row "a token
// the caller supplies: WithToken(ts), StaticToken, NewRefreshingTokenSource
// where tokens expire" (CONTRIBUTING). The bearer-token vendors expose the
// same TokenSource, StaticToken and WithToken.
func TestVocabularyTokenSource(t *testing.T) {
	for _, v := range []string{"mimcm", "czertainly", "enterpriseadmin"} {
		ts, ok := lookup(t, v, "TokenSource").(*types.TypeName)
		if !ok {
			t.Errorf("%s.TokenSource missing", v)
			continue
		}
		if got := typeString(t, v, ts.Type().Underlying()); got != "interface{Token(ctx context.Context) (string, error)}" {
			t.Errorf("%s.TokenSource = %s", v, got)
		}
		st, ok := lookup(t, v, "StaticToken").(*types.TypeName)
		if !ok || st.Type().Underlying().String() != "string" || !types.Implements(st.Type(), ts.Type().Underlying().(*types.Interface)) {
			t.Errorf("%s.StaticToken missing or not a string TokenSource", v)
		}
		if sig, _ := funcSig(t, v, "WithToken"); sig != "func(ts TokenSource) Option" {
			t.Errorf("%s.WithToken = %q", v, sig)
		}
	}
}

// CONTRIBUTING's vocabulary row: NewRefreshingTokenSource "where tokens
// expire", marked "yes" for czertainly and mimcm (ADFS bearer tokens expire).
func TestVocabularyRefreshingTokenSource(t *testing.T) {
	for _, v := range []string{"czertainly", "mimcm"} {
		sig, ok := funcSig(t, v, "NewRefreshingTokenSource")
		if !ok {
			t.Errorf("%s.NewRefreshingTokenSource missing", v)
			continue
		}
		if sig != "func(fetch func(ctx context.Context) (token string, expiry time.Time, err error)) TokenSource" {
			t.Errorf("%s.NewRefreshingTokenSource = %s", v, sig)
		}
	}
}

// Issue: "Core: the certificate-enrollment ID is a string in some operations
// and an int64 in others." Every parameter or field naming a CE ID is int64.
func TestCoreEnrollmentIDType(t *testing.T) {
	p := pkgTypes(t, "mobileiron/core")
	name := regexp.MustCompile(`(?i)^(ce_?id|certificateenrollmentid|enrollmentid)$`)
	check := func(where string, n string, typ types.Type) {
		if name.MatchString(n) && typ.String() != "int64" {
			t.Errorf("%s: %s is %s, want int64", where, n, typ)
		}
	}
	seen := 0
	for _, n := range p.Scope().Names() {
		o := p.Scope().Lookup(n)
		tn, ok := o.(*types.TypeName)
		if !ok {
			continue
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				if name.MatchString(st.Field(i).Name()) {
					seen++
				}
				check(n, st.Field(i).Name(), st.Field(i).Type())
			}
		}
		ms := types.NewMethodSet(types.NewPointer(tn.Type()))
		for i := range ms.Len() {
			f := ms.At(i).Obj().(*types.Func)
			sig := f.Type().(*types.Signature)
			for j := range sig.Params().Len() {
				if name.MatchString(sig.Params().At(j).Name()) {
					seen++
				}
				check(n+"."+f.Name(), sig.Params().At(j).Name(), sig.Params().At(j).Type())
			}
			if name.MatchString(f.Name()) && sig.Results().Len() > 0 {
				check(n+"."+f.Name(), f.Name(), sig.Results().At(0).Type())
			}
		}
	}
	if seen < 5 {
		t.Fatalf("found only %d CE ID names; probe is broken", seen)
	}
}
