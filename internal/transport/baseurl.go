package transport

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrPlainHTTP is returned when credentials would go over plain HTTP to a
// host that is not loopback and WithInsecurePlainHTTP was not given.
var ErrPlainHTTP = errors.New("credentials refused over plain http:// to a host that is not loopback (use https, or WithInsecurePlainHTTP for a lab server)")

// CheckBaseURL checks a vendor client's base URL before anything is sent:
// it must be an absolute http or https URL with a host, without query or
// fragment. A client certificate needs https; credentials over plain http
// need a loopback host or WithInsecurePlainHTTP. It returns the parsed URL
// with any trailing slash removed. It first checks the options in cfg
// (CheckOptions), so every NewClient, which calls it first, refuses an
// unusable option too.
func CheckBaseURL(op, baseURL string, cfg *Config) (*url.URL, error) {
	if err := CheckOptions(op, cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(baseURL) == "" {
		return nil, apierror.Invalid(op, "base URL is empty (want e.g. https://server.example.com)")
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, apierror.Invalid(op, "base URL %q does not parse: %v", baseURL, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
	case "":
		return nil, apierror.Invalid(op, "base URL %q has no scheme (want https://%s)", baseURL, strings.TrimPrefix(baseURL, "//"))
	default:
		return nil, apierror.Invalid(op, "base URL %q: scheme %q is not http or https", baseURL, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, apierror.Invalid(op, "base URL %q has no host", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, apierror.Invalid(op, "base URL %q must not carry a query or fragment", baseURL)
	}
	if u.User != nil {
		return nil, apierror.Invalid(op, "base URL must not carry credentials; use the package's credential option")
	}
	if strings.EqualFold(u.Scheme, "http") {
		if len(cfg.TLS.Certificates) > 0 {
			return nil, apierror.Invalid(op, "a client certificate is configured but base URL %q is plain http: the certificate would never be presented (use https)", baseURL)
		}
		if cfg.Auth != nil && !cfg.AllowPlainHTTP && !isLoopback(u.Hostname()) {
			return nil, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: fmt.Sprintf("base URL %q", baseURL), Err: ErrPlainHTTP}
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// plainHTTPAllowed guards every attempt that carries credentials, also
// those sent through the escape hatch to a URL of the caller's choosing.
func (c *Client) plainHTTPAllowed(u *url.URL) error {
	if u.Scheme != "http" || c.cfg.AllowPlainHTTP || isLoopback(u.Hostname()) {
		return nil
	}
	return ErrPlainHTTP
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	// netip, not net.ParseIP: this runs on every plain-http attempt that
	// carries credentials, and netip parses in about a third of the time
	// (its IPv4 form needs no 16-byte slice). A zone ("::1%lo") is
	// refused, as net.ParseIP refused it.
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.IsLoopback()
}

// RefuseAPIPath refuses a base URL that already holds the start of the API
// path the client adds to every call (a user pasting a documented request
// URL): the calls would go to …/api/v2/api/v2/… and meet a bare 404. It
// refuses a path that ends in the API path's first segment or holds its
// first two; letter case is ignored, as IIS and most proxies ignore it.
func RefuseAPIPath(op, baseURL string, u *url.URL, apiPath string) error {
	segs := strings.Split(strings.Trim(strings.ToLower(apiPath), "/"), "/")
	p := strings.ToLower(strings.TrimRight(u.Path, "/"))
	held := strings.HasSuffix(p, "/"+segs[0])
	if len(segs) > 1 {
		held = held || strings.Contains(p+"/", "/"+segs[0]+"/"+segs[1]+"/")
	}
	if held {
		return apierror.Invalid(op, "base URL %q already holds the API path: give the server's address only (e.g. https://%s); the client adds %s", baseURL, u.Host, apiPath)
	}
	return nil
}

// RefuseVersionedPath refuses a base URL whose path already holds a
// version segment (v1, v2, …) for a client that adds one itself after
// the address (and context path) it is given, as adds shows: the calls
// would go to …/v1/v1/… and meet a bare 404. example is a base URL of the
// right form. It serves vendors whose base may itself end in a context
// path (CZERTAINLY's /api), which RefuseAPIPath would refuse.
func RefuseVersionedPath(op, baseURL string, u *url.URL, adds, example string) error {
	for seg := range strings.SplitSeq(strings.ToLower(u.Path), "/") {
		if len(seg) > 1 && seg[0] == 'v' && strings.Trim(seg[1:], "0123456789") == "" {
			return apierror.Invalid(op, "base URL %q already holds the API path (a version segment): give an address such as %s; the client adds %s per call", baseURL, example, adds)
		}
	}
	return nil
}
