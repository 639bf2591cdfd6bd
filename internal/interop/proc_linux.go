package interop

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill an oracle's process when the test
// process ends without running its cleanups (a test timeout panics past
// them), so that no Prism outlives the run that started it.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
