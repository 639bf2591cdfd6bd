package enterpriseadmin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/redact"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// The ArcGIS token rules, on the shared mechanism of internal/transport:
//
//   - With WithCredentials the token source is a transport.TokenCache
//     whose fetch is generateToken: one call shared by concurrent
//     callers, the token replaced a margin before it expires.
//   - With WithToken the caller's TokenSource is asked on every attempt.
//   - transport.TokenAuth puts the token on every attempt (tokenPlacement
//     says where) and, when the answer rejects it (tokenRejected: codes
//     498/499 or GWM_0003, also inside a 200 body), has the cache drop it
//     and repeats the attempt once with a new one, inside the transport's
//     retry loop.

// newTokenAuth checks the credential options and returns the
// authenticator they ask for (nil for none). generate is the
// generateToken call, used with WithCredentials. Place is set by NewClient
// once the referer is known.
func newTokenAuth(op string, s *settings, generate transport.FetchToken) (*transport.TokenAuth, error) {
	switch {
	case s.sourceSet && transport.CheckTokenSource(s.source) != nil:
		return nil, apierror.Invalid(op, "WithToken: %v (StaticToken for a fixed token)", transport.CheckTokenSource(s.source))
	case s.credentials && s.username == "":
		return nil, apierror.Invalid(op, "WithCredentials needs a user name")
	case s.credentials && s.password == "":
		return nil, apierror.Invalid(op, "WithCredentials needs a password")
	case s.expiration < 0:
		return nil, apierror.Invalid(op, "token expiration %v is negative", s.expiration)
	case s.margin < 0:
		return nil, apierror.Invalid(op, "refresh margin %v is negative", s.margin)
	case !s.credentials && !s.sourceSet:
		return nil, nil
	}
	if s.expiration == 0 {
		s.expiration = DefaultTokenExpiration
	}
	if s.margin == 0 {
		s.margin = DefaultRefreshMargin
	}
	if s.now == nil {
		s.now = time.Now
	}
	a := &transport.TokenAuth{Rejected: tokenRejected}
	if s.sourceSet {
		a.Source = s.source
		if st, ok := s.source.(StaticToken); ok {
			a.Mask = []string{string(st)}
		}
		return a, nil
	}
	a.Source = transport.NewTokenCache(generate, s.margin, s.now)
	a.Origin = "generateToken"
	a.Mask = []string{s.password}
	return a, nil
}

// opGenerateToken names the token request in errors.
const opGenerateToken = "enterpriseadmin.GenerateToken"

// generateToken asks the portal for a session token. It goes through the
// client's own transport (same connections, logging and redaction), without
// the client's token (it carries the credentials in its body), and is
// never repeated once it may have reached the server.
func (c *Client) generateToken(ctx context.Context, s *settings, referer string) (transport.Token, error) {
	minutes := max(int(s.expiration/time.Minute), 1)
	var v form.Values
	v.Add("username", s.username)
	v.Add("password", s.password)
	v.Add("client", "referer")
	v.Add("referer", referer)
	v.Add("expiration", strconv.Itoa(minutes))
	v.Add("f", jsonFormat)
	req, err := enterpriseadminapi.NewGenerateTokenRequestWithBody(c.server, c.webContext, form.ContentType, v.Reader())
	var out enterpriseadminapi.IssuedToken
	err = c.t.JSON(ctx, transport.Call{
		Op: opGenerateToken, Request: req, BuildErr: err,
		Secrets: []string{s.password}, NoCredentials: true,
	}, &out)
	if err != nil {
		return transport.Token{}, err
	}
	if out.Token == nil || *out.Token == "" {
		e := &apierror.Error{Op: opGenerateToken, Kind: apierror.ErrUnexpectedResponse, Message: "generateToken answered without a token"}
		if req != nil {
			e.Method, e.URL = req.Method, redact.URL(req.URL)
		}
		return transport.Token{}, e
	}
	tok := transport.Token{Value: *out.Token, HTTPSOnly: out.Ssl != nil && *out.Ssl}
	if out.Expires != nil && *out.Expires > 0 {
		tok.Expiry = time.UnixMilli(*out.Expires)
	}
	return tok, nil
}

// tokenRejected is the TokenAuth.Rejected of the API: codes 498 (invalid
// or expired token) and 499 (token required) and messageCode GWM_0003, as
// an HTTP status or in either error shape of a body (read by decodeError
// or errorInBody), which the API sends with HTTP 200.
func tokenRejected(status int, fault func() *transport.BodyError) bool {
	if status == 498 || status == 499 {
		return true
	}
	f := fault()
	return f != nil && isTokenCode(f.Code, f.MessageKey)
}

func isTokenCode(code, messageKey string) bool {
	return code == "498" || code == "499" || messageKey == "GWM_0003"
}

// tokenPlacement is the TokenAuth.Place of the API. GET and HEAD carry the
// token in the X-Esri-Authorization header (or, in legacy mode, the token
// query parameter); every other method carries it in the body, as the
// Administrator API requires for POSTs. Every request sends the referer
// the token was generated for. The query and body are changed on a copy
// private to the attempt, so the next attempt starts from the call's own
// request again.
func tokenPlacement(referer string, legacy bool) func(req *http.Request, token string) (*http.Request, error) {
	return func(req *http.Request, token string) (*http.Request, error) {
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		switch req.Method {
		case http.MethodGet, http.MethodHead:
			if !legacy {
				req.Header.Set("X-Esri-Authorization", "Bearer "+token)
				return req, nil
			}
			out := transport.AttemptCopy(req)
			q := out.URL.Query()
			q.Set("token", token)
			out.URL.RawQuery = q.Encode()
			return out, nil
		}
		out := transport.AttemptCopy(req)
		return out, putTokenInBody(out, token)
	}
}

// putTokenInBody adds a token field to the form or multipart body of req,
// the attempt's own copy, and fixes the length to match. req.Body is the
// body of this attempt (the retry loop gives each attempt a fresh one), so
// the field is added once per attempt.
func putTokenInBody(req *http.Request, token string) error {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return fmt.Errorf("read request body to add the token: %w", err)
		}
		body = b
	}
	mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data" && params["boundary"] != "":
		// A leading part keeps the rest of the body byte for byte.
		var b bytes.Buffer
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n%s\r\n", params["boundary"], token)
		b.Write(body)
		body = b.Bytes()
	case mt == "application/x-www-form-urlencoded" || len(body) == 0:
		field := "token=" + url.QueryEscape(token)
		if len(body) > 0 {
			field = "&" + field
		}
		body = append(body, field...)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		return fmt.Errorf("cannot add the token to a %q request body", mt)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	return nil
}
