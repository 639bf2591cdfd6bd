package interop

import (
	"os"
	"testing"
)

// The harness itself: a realm starts, MIT's kinit gets a TGT from it
// (written to a credential cache), and the KDC's log counts the request.
func TestKDCIssuesATicketToKinit(t *testing.T) {
	k := StartKDC(t, KDCOptions{})
	k.AddUser(t, "alice", "alice-pw", "")
	kt := k.AddService(t, "HTTP/localhost", "")
	cc := k.Kinit(t, "alice", "alice-pw")
	for _, f := range []string{kt, cc} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if n := k.Requests("AS_REQ"); n == 0 {
		t.Fatalf("the KDC logged no AS_REQ:\n%s", k.Log())
	}
}
