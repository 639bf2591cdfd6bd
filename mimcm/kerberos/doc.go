// Package kerberos signs a mimcm.Client in with Kerberos, as IIS's
// Windows Integrated Authentication (the Negotiate provider) expects in
// an Active Directory domain. It is a package of its own so that a
// program using mimcm without Kerberos does not link the Kerberos
// implementation, github.com/jcmturner/gokrb5 (v8.4.4).
//
//	src, err := kerberos.New(kerberos.Config{User: "jdoe@CONTOSO.COM", Password: os.Getenv("MIMCM_PASSWORD")})
//	if err != nil { … }
//	c, err := mimcm.NewClient("https://cm.contoso.com", src.Option())
//
// # What it covers
//
//   - Credentials: a password, a keytab (Config.Keytab), or the user's
//     credential cache from kinit (Config.CCache, else $KRB5CCNAME, else
//     /tmp/krb5cc_<uid>; read again when its ticket runs out). krb5.conf
//     from Config.Krb5Conf, else $KRB5_CONFIG, else /etc/krb5.conf.
//   - The service principal: HTTP/<host of the base URL>, or Config.SPN
//     (an application pool running as a domain account with its own SPN,
//     a URL with an IP address or a CNAME). A URL with an IP address and
//     no SPN fails with ErrSPNRequired before anything is sent.
//   - Tickets: the ticket granting ticket and one service ticket per SPN
//     are cached and shared by concurrent calls (one KDC exchange however
//     many calls wait); each is replaced RenewBefore (5 minutes, at most a
//     quarter of its lifetime) before it ends, measured on the local clock
//     from when it was issued. A 401 drops the service ticket, so the next
//     call fetches a new one.
//   - Every attempt carries a fresh AP-REQ (no two share an authenticator
//     time, which an acceptor's replay cache would refuse) in a SPNEGO
//     NegTokenInit, asking for mutual authentication. The server's final
//     token (the "WWW-Authenticate: Negotiate" of the 200) is checked: an
//     AP-REP must decrypt with the ticket's session key and repeat the
//     authenticator's time, or the call fails with ErrMutualAuth. An
//     answer without an AP-REP is taken unless Config.RequireMutualAuth
//     is set (IIS sends one; gokrb5's own acceptor does not).
//   - Typed errors (*Error, with the Kerberos error code): ErrWrongPassword
//     (KDC_ERR_PREAUTH_FAILED, or an answer that does not decrypt),
//     ErrUnknownUser, ErrUnknownSPN (KDC_ERR_S_PRINCIPAL_UNKNOWN),
//     ErrClockSkew (KRB_AP_ERR_SKEW from the KDC or the server),
//     ErrKDCUnreachable, ErrCredentialsExpired, ErrSPNRequired,
//     ErrMutualAuth, ErrServerRefused, ErrKDCRefused, ErrConfig. Failures
//     before the request is sent (all but the server's) send nothing; the
//     credential failures also match mimcm.ErrUnauthorized. Passwords and
//     keys never appear in errors.
//
// # What it does not cover
//
//   - Channel binding (Extended Protection for Authentication): the
//     AP-REQ's checksum carries no channel binding (16 zero bytes). IIS
//     with Extended Protection "Required" refuses such a token over HTTPS,
//     for Kerberos as for NTLM (the answer is a plain 401); "Accept" (or
//     off) takes it. Over plain http there is no channel to bind.
//   - Delegation (no forwarded TGT), Kerberos armoring (FAST), PKINIT
//     and smart card logon, cross-realm trust paths beyond gokrb5's
//     referrals, DNS lookup of KDCs beyond what gokrb5 does with
//     krb5.conf's dns_lookup_kdc, and credential caches other than files
//     (KEYRING:, KCM:, API:).
//   - Writing tickets back to the credential cache: the cache is only
//     read, so a renewal lives in this process.
//   - NTLM: a server that offers Negotiate but cannot use Kerberos (no SPN
//     registered, a client outside the domain) needs mimcm.WithNTLM; this
//     package does not fall back.
//
// Tests run against MIT's krb5kdc on loopback with gokrb5's keytab
// acceptor in front of the MIM CM fake (the module's interoperability
// tests), and against
// mimcmtest.WithKerberosKeytab, which answers with an AP-REP as IIS does.
package kerberos
