package kerberos_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/internal/krbaccept"
	"github.com/certadmin/certadmin-go/mimcm/kerberos"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

const (
	user     = "cmuser"
	password = "cmuser-kerberos-password"
	spn      = "HTTP/localhost"
)

// realm is a throwaway MIT KDC with a user and the service principal
// HTTP/localhost, and gokrb5's keytab acceptor in front of the MIM CM
// fake: the acceptor authenticates, then passes the request on with
// the fake's own basic credentials, as IIS hands an authenticated
// request to the application.
type realm struct {
	kdc      *interop.KDC
	acceptor *interop.Acceptor
	fake     *mimcmtest.Server
	keytab   string // the service's
	// URL is the acceptor's base URL with the host name localhost.
	URL string
}

func startRealm(t *testing.T, opts interop.KDCOptions) *realm {
	t.Helper()
	k := interop.StartKDC(t, opts)
	k.AddUser(t, user, password, "")
	kt := k.AddService(t, spn, "")
	fake := mimcmtest.NewTestServer(t)
	target, err := url.Parse(fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.SetBasicAuth(fake.Username, fake.Password)
	}}
	acc := interop.StartAcceptor(t, kt, spn, proxy)
	t.Setenv("KRB5_CONFIG", k.Krb5Conf)
	return &realm{kdc: k, acceptor: acc, fake: fake, keytab: kt, URL: strings.Replace(acc.URL, "127.0.0.1", "localhost", 1)}
}

func (r *realm) client(t *testing.T, cfg kerberos.Config) (*mimcm.Client, *kerberos.Source, error) {
	t.Helper()
	src, err := kerberos.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	c, err := mimcm.NewClient(r.URL, src.Option(), mimcm.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c, src, nil
}

func listAll(ctx context.Context, c *mimcm.Client) ([]mimcm.Request, error) {
	return c.ListRequests(ctx, mimcm.RequestFilter{})
}

// A password, a keytab and a credential cache from MIT's kinit each sign
// in; eleven calls share one service ticket (one TGS request).
func TestKerberosSignsInAgainstMITKDC(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	userKeytab := r.kdc.Keytab(t, user)
	ccache := r.kdc.Kinit(t, user, password)
	cases := []struct {
		name string
		cfg  kerberos.Config
	}{
		{"password", kerberos.Config{User: user + "@" + r.kdc.Realm, Password: password}},
		{"password DOMAIN\\user", kerberos.Config{User: `certadmin.test\` + user, Password: password}},
		{"keytab", kerberos.Config{User: user, Keytab: userKeytab}},
		{"ccache from KRB5CCNAME", kerberos.Config{}},
	}
	t.Setenv("KRB5CCNAME", "FILE:"+ccache)
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, src, err := r.client(t, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if src.Principal() != user+"@"+r.kdc.Realm {
				t.Errorf("principal %q", src.Principal())
			}
			tgs, accepted := r.kdc.Requests("TGS_REQ"), r.acceptor.Accepted()
			for i := range 11 {
				reqs, err := listAll(ctx, c)
				if err != nil {
					t.Fatalf("call %d: %v\n%s", i, err, r.kdc.Log())
				}
				if len(reqs) == 0 {
					t.Fatal("no requests listed")
				}
			}
			if got := r.acceptor.Accepted() - accepted; got != 11 {
				t.Errorf("the acceptor authenticated %d requests, want 11", got)
			}
			if got := r.kdc.Requests("TGS_REQ") - tgs; got != 1 {
				t.Errorf("%d TGS requests for 11 calls, want 1 (one cached service ticket)", got)
			}
		})
	}
}

// Twenty concurrent calls share one service ticket.
func TestKerberosConcurrentCallsShareOneTicket(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	c, _, err := r.client(t, kerberos.Config{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	tgs, as := r.kdc.Requests("TGS_REQ"), r.kdc.Requests("AS_REQ")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := listAll(context.Background(), c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := r.kdc.Requests("TGS_REQ") - tgs; got != 1 {
		t.Errorf("%d TGS requests for 20 concurrent calls, want 1", got)
	}
	// Pre-authentication takes two AS requests (the first is answered
	// "pre-authentication required"); once.
	if got := r.kdc.Requests("AS_REQ") - as; got != 2 {
		t.Errorf("%d AS requests for 20 concurrent calls, want 2", got)
	}
	if r.acceptor.Accepted() != 20 {
		t.Errorf("accepted %d", r.acceptor.Accepted())
	}
}

// A wrong password fails at the KDC: a typed error that is also
// mimcm.ErrUnauthorized, and nothing reaches the server.
func TestKerberosWrongPassword(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	c, _, err := r.client(t, kerberos.Config{User: user, Password: "not-the-password"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = listAll(context.Background(), c)
	var ke *kerberos.Error
	if !errors.Is(err, kerberos.ErrWrongPassword) || !errors.Is(err, mimcm.ErrUnauthorized) || !errors.As(err, &ke) || ke.Code != 24 {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Error("the password is in the error")
	}
	if n := r.acceptor.Accepted() + r.acceptor.Refused(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	// An unknown user is told apart.
	c, _, _ = r.client(t, kerberos.Config{User: "nobody", Password: password})
	if _, err := listAll(context.Background(), c); !errors.Is(err, kerberos.ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}
}

// An SPN the KDC does not know fails the TGS exchange with
// ErrUnknownSPN; nothing reaches the server.
func TestKerberosUnknownSPN(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	c, _, err := r.client(t, kerberos.Config{User: user, Password: password, SPN: "HTTP/cm-unregistered.localhost"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = listAll(context.Background(), c)
	var ke *kerberos.Error
	if !errors.Is(err, kerberos.ErrUnknownSPN) || !errors.As(err, &ke) || ke.Code != 7 || !strings.Contains(err.Error(), "HTTP/cm-unregistered.localhost") {
		t.Fatalf("got %v", err)
	}
	if n := r.acceptor.Accepted() + r.acceptor.Refused(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// A URL with an IP address gives no SPN: a clear error before the KDC is
// asked; with the SPN given, the same URL works.
func TestKerberosIPAddressURLNeedsTheSPN(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	tgs := r.kdc.Requests("TGS_REQ")
	src, err := kerberos.New(kerberos.Config{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := mimcm.NewClient(r.acceptor.URL, src.Option())
	_, err = listAll(context.Background(), c)
	if !errors.Is(err, kerberos.ErrSPNRequired) || !strings.Contains(err.Error(), "HTTP/127.0.0.1") {
		t.Fatalf("got %v", err)
	}
	if r.kdc.Requests("TGS_REQ") != tgs || r.acceptor.Refused()+r.acceptor.Accepted() != 0 {
		t.Error("something was sent")
	}
	src, _ = kerberos.New(kerberos.Config{User: user, Password: password, SPN: spn})
	c, _ = mimcm.NewClient(r.acceptor.URL, src.Option())
	if _, err := listAll(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// A KDC whose clock is an hour ahead refuses the pre-authentication with
// KRB_AP_ERR_SKEW: ErrClockSkew.
func TestKerberosClockSkew(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{ClockOffset: time.Hour})
	c, _, err := r.client(t, kerberos.Config{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	_, err = listAll(context.Background(), c)
	if !errors.Is(err, kerberos.ErrClockSkew) {
		t.Fatalf("got %v\n%s", err, r.kdc.Log())
	}
}

// Tickets are renewed before they end, on the client's clock: the realm
// issues 1-hour tickets; the test moves the Source's clock through their
// life. Before the renewal margin the cached ticket is used; inside it
// a new service ticket is fetched (a TGS request, a new ticket at the
// acceptor); past the TGT's end a new TGT is fetched too (AS requests).
func TestKerberosTicketRenewedBeforeExpiry(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{MaxLife: "1h"})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c, _, err := r.client(t, kerberos.Config{User: user, Password: password, RenewBefore: 5 * time.Minute, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(step string) {
		t.Helper()
		if _, err := listAll(ctx, c); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	counts := func() (as, tgs int) { return r.kdc.Requests("AS_REQ"), r.kdc.Requests("TGS_REQ") }
	call("first call")
	as0, tgs0 := counts()
	if tgs0 != 1 {
		t.Fatalf("TGS requests after the first call: %d", tgs0)
	}
	advance(50 * time.Minute) // 10 minutes left: outside the margin
	call("at 50 minutes")
	if as, tgs := counts(); as != as0 || tgs != tgs0 {
		t.Fatalf("at 50 minutes the cached tickets must be used: AS %d→%d, TGS %d→%d", as0, as, tgs0, tgs)
	}
	advance(6 * time.Minute) // 4 minutes left: renew
	call("at 56 minutes")
	as1, tgs1 := counts()
	if tgs1 != tgs0+1 {
		t.Fatalf("inside the renewal margin: %d new TGS requests, want 1", tgs1-tgs0)
	}
	// The TGT is renewed with the service ticket: both end at the same
	// time in this realm, so the service ticket's renewal needed a new TGT.
	if as1 == as0 {
		t.Fatal("the TGT was not renewed inside its margin")
	}
	call("right after the renewal")
	if as, tgs := counts(); as != as1 || tgs != tgs1 {
		t.Fatalf("the renewed tickets must be cached: AS %d→%d, TGS %d→%d", as1, as, tgs1, tgs)
	}
	if r.acceptor.Accepted() != 4 {
		t.Errorf("accepted %d, want 4", r.acceptor.Accepted())
	}
}

// A ticket the server stops taking during a run (here the service's key
// changed, as when its account's password is reset; an expired ticket is
// refused the same way) fails that call with a 401; the ticket is
// dropped, and the next call fetches a new one and succeeds.
func TestKerberosRefusedTicketIsReplaced(t *testing.T) {
	k, kt := contoso(t)
	var mu sync.Mutex
	acc := krbaccept.New(kt, spn, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		b, _ := base64.StdEncoding.DecodeString(tok)
		mu.Lock()
		a := acc
		mu.Unlock()
		if _, reply, err := a.Accept(b); err != nil {
			w.Header().Set("WWW-Authenticate", "Negotiate")
			if reply != nil {
				w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(reply))
			}
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	src, err := kerberos.New(kerberos.Config{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := mimcm.NewClient(localhost(srv.URL), src.Option(), mimcm.WithMaxAttempts(1))
	ctx := context.Background()
	if _, err := listAll(ctx, c); err != nil {
		t.Fatal(err)
	}
	tgs := k.Requests("TGS_REQ")
	k.NewKey(t, spn)
	rotated, err := keytab.Load(k.Keytab(t, spn))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	acc = krbaccept.New(rotated, spn, 0)
	mu.Unlock()
	if _, err := listAll(ctx, c); !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Fatalf("the old ticket: %v", err)
	}
	if k.Requests("TGS_REQ") != tgs {
		t.Fatal("a new ticket was fetched before the server refused the old one")
	}
	if _, err := listAll(ctx, c); err != nil {
		t.Fatalf("after the refusal: %v", err)
	}
	if got := k.Requests("TGS_REQ") - tgs; got != 1 {
		t.Errorf("%d TGS requests after the refusal, want 1", got)
	}
}
