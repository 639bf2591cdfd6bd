//go:build !linux

package interop

import "os/exec"

// dieWithTest has no portable equivalent outside Linux; the test's cleanup
// still stops the process.
func dieWithTest(*exec.Cmd) {}
