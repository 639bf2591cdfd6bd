package transport

// TEMPORARY (issue 21, step 3): compares, for every call the vendor test
// suites make, the wrapper's Call.Repeat (with the vendor's rule) with the
// spec's (Rules.Operations), writing one line per call to the file named
// by CERTADMIN_REPEAT_DIFF. Removed once the specs agree.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

func (c *Client) tmpRepeatDiff(call *Call, req *http.Request) {
	p := os.Getenv("CERTADMIN_REPEAT_DIFF")
	if p == "" || c.rules.Operations == nil {
		return
	}
	var line string
	op, err := c.rules.Operations.Lookup(req.Method, req.URL.EscapedPath())
	switch {
	case err != nil:
		line = fmt.Sprintf("UNMATCHED %s %s %s: %v\n", call.Op, req.Method, req.URL.EscapedPath(), err)
	case call.Op == "raw" || strings.HasSuffix(call.Op, ".Do"):
		line = fmt.Sprintf("NOWRAPPER %s %s %s\n", call.Op, op.ID, req.Method)
	default:
		old := call.Repeat
		if c.rules.Repeat != nil && old != Never {
			if v := c.rules.Repeat(req); v == Never || old == ByMethod {
				old = v
			}
		}
		w, s := safeToRepeat(old, req.Method), safeToRepeat(op.Repeat, req.Method)
		kind := "SAME"
		if w != s {
			kind = "DIFF"
		}
		line = fmt.Sprintf("%s %s %s %s wrapper=%v spec=%v callrepeat=%d\n", kind, call.Op, op.ID, req.Method, w, s, call.Repeat)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	_, _ = f.WriteString(line)
	_ = f.Close()
}
