package czertainly_test

import (
	"context"
	"fmt"
	"log"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// A long-running program authenticates with OIDC access tokens that
// expire: NewRefreshingTokenSource asks the identity provider for a new
// one shortly before each expires, and all the client's calls share it.
func ExampleNewRefreshingTokenSource() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Print(err)
		return
	}
	defer srv.Close()

	fetches := 0
	tokens := czertainly.NewRefreshingTokenSource(func(ctx context.Context) (string, time.Time, error) {
		// A real program asks its identity provider here (an OAuth 2.0
		// client-credentials grant) and returns the access token and its
		// expiry.
		fetches++
		return czertainlytest.BearerToken, time.Now().Add(5 * time.Minute), nil
	})
	c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()), czertainly.WithToken(tokens))
	if err != nil {
		log.Print(err)
		return
	}
	defer c.Close()

	ctx := context.Background()
	for range 3 {
		me, err := c.GetAuthProfile(ctx)
		if err != nil {
			log.Print(err)
			return
		}
		fmt.Println(me.Username)
	}
	fmt.Println("tokens fetched:", fetches)
	// Output:
	// admin
	// admin
	// admin
	// tokens fetched: 1
}
