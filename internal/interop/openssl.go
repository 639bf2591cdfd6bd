package interop

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"testing"
)

// OpenSSL runs Debian's openssl command (installed by .ci/oracles/openssl.sh)
// with stdin and returns its output; a non-zero exit is an error carrying
// what openssl printed.
func OpenSSL(t testing.TB, stdin []byte, args ...string) (string, error) {
	t.Helper()
	bin := LookPath(t, "openssl", "openssl.sh")
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("openssl %v: %w\n%s", args, err, out.String())
	}
	return out.String(), nil
}
