package readme_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChangelogListsEveryTool: every command under examples/ (a folder
// with a main.go) is named in CHANGELOG.md, in backquotes.
func TestChangelogListsEveryTool(t *testing.T) {
	changelog, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	mains, err := filepath.Glob("../../examples/*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("no example tools found: %v", err)
	}
	for _, m := range mains {
		tool := filepath.Base(filepath.Dir(m))
		if !strings.Contains(string(changelog), "`"+tool+"`") {
			t.Errorf("CHANGELOG.md does not name the tool `%s`", tool)
		}
	}
}
