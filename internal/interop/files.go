package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the directory holding the module's go.mod, found by
// walking up from the test's working directory (its package directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("interop: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("interop: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Reference returns the path of a vendor reference file, rel under
// shared/reference. CI lays shared/ beside the clone (../shared from the
// module root); a developer's worktree may sit deeper, so every ancestor of
// the module root is tried. A missing file fails in CI and skips elsewhere.
func Reference(t testing.TB, rel string) string {
	t.Helper()
	dir := filepath.Dir(ModuleRoot(t))
	for {
		p := filepath.Join(dir, "shared", "reference", filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if InCI() {
		t.Fatalf("vendor reference %s not found in shared/reference beside the clone or above it", rel)
	}
	t.Skipf("vendor reference %s not found: put shared/reference beside the clone (../shared from the module root)", rel)
	return ""
}

// NodeModules returns the node_modules directory that .ci/oracles/npm.sh
// installed from internal/interop/npm/package-lock.json: the cache directory
// is named after the lock's hash, so a stale install of another lock is
// never used.
func NodeModules(t testing.TB) string {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(ModuleRoot(t), "internal", "interop", "npm", "package-lock.json"))
	if err != nil {
		t.Fatalf("interop: the committed npm lock file: %v", err)
	}
	sum := sha256.Sum256(lock)
	base := os.Getenv("CERTADMIN_ORACLE_CACHE")
	if base == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		base = filepath.Join(cache, "certadmin-go-oracles")
	}
	dir := filepath.Join(base, "npm-"+hex.EncodeToString(sum[:])[:16])
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		Missing(t, "npm packages of internal/interop/npm (Prism, @esri/arcgis-rest-request)", "npm.sh")
	}
	return filepath.Join(dir, "node_modules")
}
