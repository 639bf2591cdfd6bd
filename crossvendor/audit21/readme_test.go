//go:build audit

package audit21

import (
	"go/types"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func camelWords(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || (unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1])))) {
			out = append(out, strings.ToLower(string(rs[start:i])))
			start = i
		}
	}
	return out
}

// forms are the spellings of a word a row may use.
func forms(w string) []string {
	f := []string{w, w + "s", w + "es"}
	if strings.HasSuffix(w, "y") {
		f = append(f, strings.TrimSuffix(w, "y")+"ies")
	}
	if strings.HasSuffix(w, "s") {
		f = append(f, strings.TrimSuffix(w, "s"))
	}
	return f
}

// Issue: "README: the mimcm row lists 2 of the package's 37 operations."
// Every operation (exported *Client method other than Close, Do, Raw and the
// accessors, and CertificateInventory, which README documents with
// inventory.Walk) is visible in its package's README row: its name, or every
// noun of its name (CamelCase words minus the leading verb, singular or
// plural, abbreviations as the row writes them) appears in the row.
func TestReadmeRowsListEveryOperation(t *testing.T) {
	readme := readFile(t, "README.md")
	skip := map[string]bool{"Close": true, "Do": true, "Raw": true, "AdminDeviceSpaceID": true, "CertificateInventory": true, "WebContext": true}
	syn := map[string][]string{
		"ce": {"ce", "certificate enrollment"}, "scep": {"scep"}, "uid": {"uid"}, "ldap": {"ldap"},
		"pfx": {"pfx", "pkcs#12"}, "admin": {"admin", "administrator"}, "admins": {"admins", "administrators"},
		"trust": {"trust"}, "revocation": {"revoke", "revocation"}, "recipient": {""}, "requested": {""}, "for": {""}, "pin": {"pin"}, "ra": {"ra"}, "saml": {"saml"},
	}
	for _, v := range vendors {
		m := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(v) + "` \\|.*$").FindString(readme)
		if m == "" {
			t.Errorf("README has no row for %s", v)
			continue
		}
		row := strings.ToLower(m)
		rowWords := map[string]bool{}
		for _, w := range regexp.MustCompile(`[a-z0-9#]+`).FindAllString(row, -1) {
			rowWords[w] = true
		}
		client := lookup(t, v, "Client").Type()
		ms := types.NewMethodSet(types.NewPointer(client))
		var missing []string
		total := 0
		for i := range ms.Len() {
			name := ms.At(i).Obj().Name()
			if !ms.At(i).Obj().Exported() || skip[name] {
				continue
			}
			total++
			if strings.Contains(m, name) {
				continue
			}
			words := camelWords(name)
			ok := true
			for _, w := range words[1:] { // words[0] is the verb
				if alts, found := syn[w]; found {
					hit := false
					for _, a := range alts {
						hit = hit || strings.Contains(row, a)
					}
					ok = ok && hit
					continue
				}
				if len(w) <= 2 {
					continue
				}
				hit := false
				for _, f := range forms(w) {
					hit = hit || rowWords[f]
				}
				ok = ok && hit
			}
			if !ok {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: README row misses %d of %d operations: %v", v, len(missing), total, missing)
		}
	}
}
