// Package interop starts implementations that no one here wrote (Prism,
// impacket, MIT Kerberos, curl, openssl, the vendors' own client libraries)
// as peers for tests. Each oracle is installed by a script in .ci/oracles
// and started by a function a test calls; nothing here runs at import time.
//
// Under CI=true a missing oracle fails the test: CI never skips an oracle.
// Elsewhere the test skips with the command that installs it.
package interop

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI, where no oracle may be skipped.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because an oracle is not installed: a failure in CI,
// a skip elsewhere. script names the file in .ci/oracles that installs it.
func Missing(t testing.TB, what, script string) {
	t.Helper()
	if InCI() {
		t.Fatalf("oracle %s is not installed; CI must install it with .ci/oracles/%s", what, script)
	}
	t.Skipf("oracle %s is not installed; install it with: bash .ci/oracles/%s", what, script)
}

// LookPath returns the path of an oracle's executable, or ends the test
// through Missing when it is not installed.
func LookPath(t testing.TB, name, script string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, script)
	}
	return p
}
