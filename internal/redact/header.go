package redact

import (
	"net/http"
	"slices"
	"strings"
)

// headerAllowList are the headers whose values Header shows: they describe
// the exchange (content, caching, dates, tracing and request ids, rate
// limits) and carry no credential. Every other header value is masked, so
// a vendor's own credential header needs no entry anywhere.
var headerAllowList = []string{
	"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Ranges",
	"Age", "Allow", "Cache-Control", "Connection",
	"Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
	"Content-Location", "Content-Range", "Content-Type",
	"Date", "ETag", "Expires", "If-Match", "If-Modified-Since", "If-None-Match",
	"If-Unmodified-Since", "Keep-Alive", "Last-Modified", "Location", "Pragma",
	"Retry-After", "Server", "Strict-Transport-Security", "Transfer-Encoding",
	"User-Agent", "Vary", "Via", "WWW-Authenticate", "X-Content-Type-Options",
	"Request-Id", "X-Request-Id", "X-Correlation-Id", "Traceparent", "Tracestate",
	"X-Ms-Request-Id", "X-Ms-Client-Request-Id", "X-Ms-Correlation-Request-Id",
	"X-Ms-Return-Client-Request-Id", "X-Ms-Error-Code",
	"X-Amz-Request-Id", "X-Amzn-Requestid",
	"Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset",
	"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset",
}

var allowedHeaders = func() map[string]bool {
	m := make(map[string]bool, len(headerAllowList))
	for _, name := range headerAllowList {
		m[http.CanonicalHeaderKey(name)] = true
	}
	return m
}()

// urlHeaders hold a URL, which may carry a credential in its query or
// userinfo: their values are shown as URL shows a URL.
var urlHeaders = map[string]bool{"Location": true, "Content-Location": true}

// Header returns a copy of h in which only the headers on an allow-list of
// names that carry no credential keep their values (Accept, Cache-Control,
// Content-Type, Date, ETag, Location, Retry-After, Server, User-Agent,
// X-Request-Id, Traceparent and the like); every other value is replaced by
// Mask, one per value. Location and Content-Location keep their URL with its
// secrets masked. The original is not changed.
func Header(h http.Header) http.Header { return HeaderWith(h) }

// HeaderWith is Header with more header names allowed to keep their
// values, such as a vendor's request-id header. Names match in any case.
// A name IsSecretName reports is masked even when allowed.
func HeaderWith(h http.Header, allowed ...string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := http.CanonicalHeaderKey(k)
		switch {
		case IsSecretName(k) || !allowedHeaders[c] && !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, k) }):
			masked := make([]string, len(vs))
			for i := range masked {
				masked[i] = Mask
			}
			out[k] = masked
		case urlHeaders[c]:
			shown := make([]string, len(vs))
			for i, v := range vs {
				shown[i] = URLString(v)
			}
			out[k] = shown
		default:
			out[k] = slices.Clone(vs)
		}
	}
	return out
}
