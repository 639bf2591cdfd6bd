//go:build audit

package audit21

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Issue: "go doc must not show internal names (ErrUnauthorized =
// apierror.ErrUnauthorized)." For every public package the issue names (and
// its fake), go doc -all shows no identifier qualified by a package under
// internal/ and no internal import path.
func TestGoDocShowsNoInternalNames(t *testing.T) {
	root := repoRoot(t)
	ents, err := os.ReadDir(filepath.Join(root, "internal"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, regexp.QuoteMeta(e.Name()))
		}
	}
	// Package names may differ from folder names; add the ones the
	// folders declare.
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		fs, _ := filepath.Glob(filepath.Join(root, "internal", e.Name(), "*.go"))
		for _, f := range fs {
			b, _ := os.ReadFile(f)
			if m := regexp.MustCompile(`(?m)^package (\w+)`).FindSubmatch(b); m != nil && !strings.HasSuffix(string(m[1]), "_test") {
				names = append(names, string(m[1]))
				break
			}
		}
	}
	re := regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\.[A-Z]\w*`)
	for _, p := range append(append(append([]string{}, vendors...), fakes...), "inventory") {
		doc := goDoc(t, "-all", "./"+p)
		for i, line := range strings.Split(doc, "\n") {
			if strings.Contains(line, "certadmin-go/internal") {
				t.Errorf("%s: go doc line %d names an internal path: %s", p, i+1, strings.TrimSpace(line))
			}
			// Only declarations (indented code lines start with a tab).
			if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "func ") && !strings.HasPrefix(line, "type ") && !strings.HasPrefix(line, "var ") && !strings.HasPrefix(line, "const ") {
				continue
			}
			if m := re.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s: go doc line %d shows internal name %s: %s", p, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}
