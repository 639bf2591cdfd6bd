package kerberos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/mimcm"
)

// Config says whose credentials to use and where the realm is. Exactly
// one source of credentials is used: Password, else Keytab, else the
// credential cache (CCache, or $KRB5CCNAME, or the MIT default
// /tmp/krb5cc_<uid>).
type Config struct {
	// User is the user's principal: user@REALM, DOMAIN\user (the domain
	// taken as the realm, in upper case) or a bare name (the default realm
	// of krb5.conf). Needed with Password and Keytab; with a credential
	// cache the cache's own principal is used.
	User string
	// Password gets tickets with the user's password (never logged).
	Password string
	// Keytab is the path of a keytab holding the user's keys.
	Keytab string
	// CCache is the path of a credential cache ("FILE:" prefix allowed)
	// holding the user's ticket granting ticket, from kinit. Read again
	// whenever its ticket runs out, so a kinit elsewhere renews it.
	CCache string
	// Krb5Conf is the path of krb5.conf; "" means $KRB5_CONFIG, else
	// /etc/krb5.conf.
	Krb5Conf string
	// SPN is the service principal of the server (HTTP/cm.contoso.com);
	// "" means HTTP/<host of the base URL>, which needs a host name, not
	// an IP address (ErrSPNRequired).
	SPN string
	// RenewBefore is how long before a ticket's end a new one is fetched
	// (default 5 minutes, at most a quarter of the ticket's lifetime).
	RenewBefore time.Duration
	// RequireMutualAuth fails a call whose successful answer carries no
	// AP-REP (IIS sends one; some acceptors, gokrb5's among them, do not).
	// An AP-REP that is present is always checked.
	RequireMutualAuth bool
	// Now is the clock that decides when a ticket is due for renewal
	// (default time.Now); tests set it to run through a ticket's life.
	Now func() time.Time
}

// DefaultRenewBefore is Config.RenewBefore's default.
const DefaultRenewBefore = 5 * time.Minute

// Source gets, caches and renews the tickets of one user and makes the
// SPNEGO tokens of mimcm.WithNegotiate from them. It is safe for
// concurrent use: concurrent calls share one ticket per SPN, and a ticket
// is fetched once however many calls wait for it.
type Source struct {
	cfg      Config
	conf     *config.Config
	cl       *client.Client
	realm    string
	user     string // principal name without the realm, for errors
	ccache   string
	fromFile bool // credentials from the cache: no AS exchange

	fetch sync.Mutex // held while talking to the KDC
	mu    sync.Mutex
	tgt   *ticket
	svc   map[string]*ticket

	sent sentAuths
}

type ticket struct {
	tkt        messages.Ticket
	key        types.EncryptionKey
	start, end time.Time
}

// New checks the settings, reads krb5.conf and the keytab or credential
// cache, and returns a Source. It does not contact the KDC: the first
// call does.
func New(cfg Config) (*Source, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RenewBefore <= 0 {
		cfg.RenewBefore = DefaultRenewBefore
	}
	path := cfg.Krb5Conf
	if path == "" {
		path = os.Getenv("KRB5_CONFIG")
	}
	if path == "" {
		path = "/etc/krb5.conf"
	}
	// KRB5_CONFIG may list several files; the first one is read.
	path, _, _ = strings.Cut(path, ":")
	conf, err := config.Load(path)
	if err != nil {
		return nil, &Error{Op: "config", Kind: ErrConfig, Detail: fmt.Sprintf("krb5.conf %s: %v", path, err)}
	}
	s := &Source{cfg: cfg, conf: conf, svc: map[string]*ticket{}}
	user, realm := splitUser(cfg.User, conf.LibDefaults.DefaultRealm)
	switch {
	case cfg.Password != "":
		if user == "" || realm == "" {
			return nil, &Error{Op: "config", Kind: ErrConfig, Detail: "a password needs a user (user@REALM, DOMAIN\\user, or a name in krb5.conf's default realm)"}
		}
		s.cl = client.NewWithPassword(user, realm, cfg.Password, conf, client.DisablePAFXFAST(true))
	case cfg.Keytab != "":
		if user == "" || realm == "" {
			return nil, &Error{Op: "config", Kind: ErrConfig, Detail: "a keytab needs a user (user@REALM, DOMAIN\\user, or a name in krb5.conf's default realm)"}
		}
		kt, err := keytab.Load(cfg.Keytab)
		if err != nil {
			return nil, &Error{Op: "config", Kind: ErrConfig, Detail: fmt.Sprintf("keytab %s: %v", cfg.Keytab, err)}
		}
		s.cl = client.NewWithKeytab(user, realm, kt, conf, client.DisablePAFXFAST(true))
	default:
		s.ccache = ccachePath(cfg.CCache)
		s.fromFile = true
		cc, err := credentials.LoadCCache(s.ccache)
		if err != nil {
			return nil, &Error{Op: "credential cache", Kind: ErrConfig,
				Detail: fmt.Sprintf("no password or keytab given, and the credential cache %s cannot be read (run kinit, or set KRB5CCNAME): %v", s.ccache, err)}
		}
		user, realm = cc.GetClientPrincipalName().PrincipalNameString(), cc.GetClientRealm()
		s.cl = client.NewWithPassword(user, realm, "", conf, client.DisablePAFXFAST(true))
		s.cl.Credentials = cc.GetClientCredentials()
	}
	s.user, s.realm = user, realm
	return s, nil
}

// Option is the mimcm client option that signs in with this Source:
// mimcm.WithNegotiate with Config.SPN.
func (s *Source) Option() mimcm.Option { return mimcm.WithNegotiate(s.cfg.SPN, s) }

// Principal is the user's principal, user@REALM.
func (s *Source) Principal() string { return s.user + "@" + s.realm }

// splitUser reads user@REALM, DOMAIN\user or a bare name.
func splitUser(u, defaultRealm string) (user, realm string) {
	if d, n, ok := strings.Cut(u, `\`); ok {
		return n, strings.ToUpper(d)
	}
	if i := strings.LastIndex(u, "@"); i >= 0 {
		return u[:i], u[i+1:]
	}
	return u, defaultRealm
}

func ccachePath(p string) string {
	if p == "" {
		p = os.Getenv("KRB5CCNAME")
	}
	if p == "" {
		p = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
	}
	return strings.TrimPrefix(p, "FILE:")
}

// NegotiateToken returns a SPNEGO token holding a fresh AP-REQ for spn,
// from a cached service ticket while it is not due for renewal.
func (s *Source) NegotiateToken(ctx context.Context, spn string) ([]byte, error) {
	if s.cfg.SPN != "" {
		spn = s.cfg.SPN
	} else if host, ok := strings.CutPrefix(spn, "HTTP/"); ok && net.ParseIP(strings.Trim(host, "[]")) != nil {
		return nil, &Error{Op: "token", Principal: spn, Kind: ErrSPNRequired,
			Detail: "Kerberos tickets name the service by host name; use the server's DNS name in the URL, or give the SPN registered for it (Config.SPN, -spn)"}
	}
	t, err := s.serviceTicket(ctx, spn)
	if err != nil {
		return nil, err
	}
	return s.apReq(spn, t)
}

// due reports whether t should be replaced at now.
func (s *Source) due(t *ticket, now time.Time) bool {
	if t == nil {
		return true
	}
	before := min(s.cfg.RenewBefore, t.end.Sub(t.start)/4)
	return !now.Before(t.end.Add(-before)) || now.Before(t.start.Add(-5*time.Minute))
}

func (s *Source) cached(spn string) *ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.svc[spn]; !s.due(t, s.cfg.Now()) {
		return t
	}
	return nil
}

// serviceTicket returns the cached ticket for spn or fetches one; one
// caller at a time talks to the KDC, the others then find its ticket.
func (s *Source) serviceTicket(ctx context.Context, spn string) (*ticket, error) {
	if t := s.cached(spn); t != nil {
		return t, nil
	}
	s.fetch.Lock()
	defer s.fetch.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, apierror.WithCause(ctx, err)
	}
	if t := s.cached(spn); t != nil {
		return t, nil
	}
	tgt, err := s.ticketGrantingTicket()
	if err != nil {
		return nil, err
	}
	host := spn
	if _, h, ok := strings.Cut(spn, "/"); ok {
		host = h
	}
	realm := s.conf.ResolveRealm(host)
	if realm == "" {
		realm = s.realm
	}
	princ := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, spn)
	_, rep, err := s.cl.TGSREQGenerateAndExchange(princ, realm, tgt.tkt, tgt.key, false)
	if err != nil {
		e := classify("TGS exchange", spn, err)
		if e.Code == 0 && errors.Is(e, ErrKDCRefused) && s.fromFile {
			// The cache's TGT may have run out in the KDC's eyes.
			e.Kind = ErrCredentialsExpired
		}
		return nil, e
	}
	t := newTicket(rep.Ticket, rep.DecryptedEncPart, s.cfg.Now())
	s.mu.Lock()
	s.svc[spn] = t
	s.mu.Unlock()
	return t, nil
}

// ticketGrantingTicket returns the TGT, getting a new one (AS exchange, or
// the credential cache read again) when it is due. Called with fetch held.
func (s *Source) ticketGrantingTicket() (*ticket, error) {
	s.mu.Lock()
	t := s.tgt
	s.mu.Unlock()
	now := s.cfg.Now()
	if !s.due(t, now) {
		return t, nil
	}
	if s.fromFile {
		nt, err := s.readCCache(now)
		if err != nil {
			return nil, err
		}
		t = nt
	} else {
		req, err := messages.NewASReqForTGT(s.realm, s.conf, s.cl.Credentials.CName())
		if err != nil {
			return nil, &Error{Op: "AS exchange", Principal: s.Principal(), Kind: ErrConfig, Detail: err.Error()}
		}
		rep, err := s.cl.ASExchange(s.realm, req, 0)
		if err != nil {
			return nil, classify("AS exchange", s.Principal(), err)
		}
		t = newTicket(rep.Ticket, rep.DecryptedEncPart, now)
	}
	s.mu.Lock()
	s.tgt = t
	s.mu.Unlock()
	return t, nil
}

func (s *Source) readCCache(now time.Time) (*ticket, error) {
	cc, err := credentials.LoadCCache(s.ccache)
	if err != nil {
		return nil, &Error{Op: "credential cache", Principal: s.Principal(), Kind: ErrConfig, Detail: err.Error()}
	}
	krbtgt := types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", s.realm}}
	cred, ok := cc.GetEntry(krbtgt)
	if !ok {
		return nil, &Error{Op: "credential cache", Principal: s.Principal(), Kind: ErrCredentialsExpired,
			Detail: fmt.Sprintf("%s holds no ticket granting ticket for %s: run kinit", s.ccache, s.realm)}
	}
	if !now.Before(cred.EndTime) {
		return nil, &Error{Op: "credential cache", Principal: s.Principal(), Kind: ErrCredentialsExpired,
			Detail: fmt.Sprintf("the ticket granting ticket in %s ended at %s: run kinit", s.ccache, cred.EndTime.UTC().Format(time.RFC3339))}
	}
	var tkt messages.Ticket
	if err := tkt.Unmarshal(cred.Ticket); err != nil {
		return nil, &Error{Op: "credential cache", Principal: s.Principal(), Kind: ErrConfig, Detail: err.Error()}
	}
	start := cred.StartTime
	if start.IsZero() {
		start = cred.AuthTime
	}
	return &ticket{tkt: tkt, key: cred.Key, start: start, end: cred.EndTime}, nil
}

// newTicket keeps a ticket the KDC just issued, with its validity on the
// local clock: from now, for as long as the KDC made it valid. A clock
// that differs from the KDC's (within the realm's skew) then neither
// renews a ticket too late nor over and over.
func newTicket(tkt messages.Ticket, part messages.EncKDCRepPart, now time.Time) *ticket {
	start := part.StartTime
	if start.IsZero() {
		start = part.AuthTime
	}
	return &ticket{tkt: tkt, key: part.Key, start: now, end: now.Add(part.EndTime.Sub(start))}
}

// forget drops the cached ticket for spn, so that the next call fetches
// a new one (after the server refused it).
func (s *Source) forget(spn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.svc, spn)
}
