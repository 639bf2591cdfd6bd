package czertainly_test

import (
	"context"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

var fastRetry = czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second})

var fastPoll = czertainly.WithPollInterval(time.Millisecond)

// newFake starts a fake and a client for it; when the test ends it fails
// the test for any request or answer that broke our spec or the vendor's
// 2.17.0 documents.
func newFake(t testing.TB, fakeOpts []czertainlytest.Option, extra ...czertainly.Option) (*czertainlytest.Server, *czertainly.Client) {
	t.Helper()
	srv := czertainlytest.NewTestServer(t, fakeOpts...)
	t.Cleanup(func() {
		for _, v := range srv.VendorViolations() {
			t.Errorf("%s", v)
		}
	})
	c, err := srv.NewClient(append([]czertainly.Option{fastRetry, fastPoll}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

var profile = czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID}

// recipientClient is a client for a second user with the superadmin
// role: Core refuses a recipient's decision from the user who created the
// approval (ApprovalServiceImpl.java:191), and c's admin creates them.
func recipientClient(t testing.TB, srv *czertainlytest.Server, c *czertainly.Client) *czertainly.Client {
	t.Helper()
	ctx := context.Background()
	u, err := c.CreateUser(ctx, czertainly.UserInput{Username: "recipient", Email: "recipient@example.test", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetUserRoles(ctx, u.UUID, []string{czertainlytest.SuperadminRoleUUID}); err != nil {
		t.Fatal(err)
	}
	rc, err := czertainly.NewClient(srv.URL, fastRetry, fastPoll, czertainly.WithBearerToken(srv.TokenFor(u.UUID)))
	if err != nil {
		t.Fatal(err)
	}
	return rc
}
