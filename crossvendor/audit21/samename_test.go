//go:build audit

package audit21

import (
	"go/types"
	"sort"
	"strings"
	"testing"
)

// Issue: "Same concept, same API … each vendor package exposes it under the
// same names and types." Systematic: every package-level function, constant
// and shared type that two or more vendor packages declare under the same
// name has the same signature (types printed relative to their own package;
// constants compared by type, not value). The shared types compared field
// by field are the ones every vendor has for the same concept.
func TestSameNameSameType(t *testing.T) {
	shared := map[string]bool{"RetryPolicy": true, "Error": true, "TokenSource": true, "StaticToken": true,
		"Option": true, "CallOption": true, "ClientOrCallOption": true, "EnrollStage": true}
	sigs := map[string]map[string]string{} // name → vendor → signature
	for _, v := range vendors {
		sc := pkgTypes(t, v).Scope()
		for _, n := range sc.Names() {
			o := sc.Lookup(n)
			if !o.Exported() {
				continue
			}
			var s string
			switch o := o.(type) {
			case *types.Func:
				s = typeString(t, v, o.Type())
			case *types.Const:
				s = "const " + typeString(t, v, o.Type())
			case *types.Var:
				s = "var " + typeString(t, v, o.Type())
			case *types.TypeName:
				if !shared[n] {
					continue
				}
				s = typeString(t, v, o.Type().Underlying())
				if _, isIface := o.Type().Underlying().(*types.Interface); isIface && (n == "Option" || n == "CallOption" || n == "ClientOrCallOption") {
					s = "interface" // unexported methods differ by design
				}
			}
			if sigs[n] == nil {
				sigs[n] = map[string]string{}
			}
			sigs[n][v] = s
		}
	}
	var names []string
	for n := range sigs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := sigs[n]
		if len(m) < 2 {
			continue
		}
		groups := map[string][]string{}
		for v, s := range m {
			groups[s] = append(groups[s], v)
		}
		if len(groups) > 1 {
			var b strings.Builder
			for s, vs := range groups {
				sort.Strings(vs)
				b.WriteString("\n    " + strings.Join(vs, ",") + ": " + s)
			}
			t.Errorf("%s differs across vendors:%s", n, b.String())
		}
	}
}

// The same, for the fakes: package-level functions and *Server methods with
// the same name have the same signature in every …test package (the
// vendor's own package name normalised to V).
func TestFakesSameNameSameType(t *testing.T) {
	vendorName := map[string]string{}
	for i, f := range fakes {
		vendorName[f] = pkgTypes(t, vendors[i]).Name()
	}
	sigs := map[string]map[string]string{}
	add := func(key, f, s string) {
		s = strings.ReplaceAll(s, vendorName[f]+".", "V.")
		if sigs[key] == nil {
			sigs[key] = map[string]string{}
		}
		sigs[key][f] = s
	}
	for _, f := range fakes {
		sc := pkgTypes(t, f).Scope()
		for _, n := range sc.Names() {
			if fn, ok := sc.Lookup(n).(*types.Func); ok && fn.Exported() {
				add(n, f, typeString(t, f, fn.Type()))
			}
		}
		if srv := sc.Lookup("Server"); srv != nil {
			ms := types.NewMethodSet(types.NewPointer(srv.Type()))
			for i := range ms.Len() {
				if m := ms.At(i).Obj(); m.Exported() {
					add("(*Server)."+m.Name(), f, typeString(t, f, m.Type()))
				}
			}
		}
	}
	var names []string
	for n := range sigs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		groups := map[string][]string{}
		for f, s := range sigs[n] {
			groups[s] = append(groups[s], f)
		}
		if len(sigs[n]) >= 2 && len(groups) > 1 {
			var b strings.Builder
			for s, fs := range groups {
				sort.Strings(fs)
				b.WriteString("\n    " + strings.Join(fs, ",") + ": " + s)
			}
			t.Errorf("%s differs across fakes:%s", n, b.String())
		}
	}
}
