// Command ntlmfake runs the MIM CM fake (mimcmtest) with Windows
// authentication as a process of its own, for clients not written here
// (curl --ntlm, curl --negotiate through gss-ntlmssp) in the interop tests.
//
// It prints "URL=<base URL>" once it listens. Each line "stats" on stdin
// is answered by one line of JSON with the fake's counts; it exits when
// stdin closes. -negotiate offers only the Negotiate scheme (as IIS with
// the Negotiate provider alone); by default both Negotiate and NTLM.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func main() {
	negotiate := flag.Bool("negotiate", false, "offer only the Negotiate scheme")
	flag.Parse()
	opt := mimcmtest.WithNTLM()
	if *negotiate {
		opt = mimcmtest.WithNegotiate()
	}
	srv, err := mimcmtest.NewServer(opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Close()
	fmt.Printf("URL=%s\n", srv.URL)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "stats" {
			continue
		}
		b, _ := json.Marshal(map[string]int64{
			"requests":    int64(srv.TotalHits()),
			"handshakes":  int64(srv.Handshakes()),
			"connections": srv.NewConnections(),
		})
		fmt.Println(string(b))
	}
}
