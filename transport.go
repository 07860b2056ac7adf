package mastra

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Transport is an [http.RoundTripper] that authorizes the requests it sends
// to one origin with a bearer token from an [oauth2.TokenSource].
//
// The token is set on a clone of each request whose scheme, host and port
// equal Origin's, and on no other: a redirect to another host, or any other
// request that shares the underlying client, never carries it. The original
// request is not modified.
//
// The client package builds a Transport for you; use it directly to add a
// Mastra token to an [http.Client] of your own.
type Transport struct {
	// Source supplies the token for each request. It is called on every
	// request to Origin, so it should cache: wrap a source that does network
	// calls in [oauth2.ReuseTokenSource].
	Source oauth2.TokenSource

	// Origin is the server that may see the token. Only its scheme, host
	// and port are used; a missing port means the scheme's default.
	Origin *url.URL

	// Base sends the requests. Nil means [http.DefaultTransport].
	Base http.RoundTripper
}

// RoundTrip sends req, with "Authorization: Bearer <token>" when req goes
// to t.Origin. An error from the token source is returned wrapped, and
// the request is then not sent; the error text never holds a token.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Source == nil || t.Origin == nil || !SameOrigin(req.URL, t.Origin) {
		return base.RoundTrip(req)
	}
	tok, err := t.Source.Token()
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("token source returned an empty token")
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &TokenError{Err: err}
	}
	r2 := req.Clone(req.Context())
	r2.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return base.RoundTrip(r2)
}

// TokenError is the error a [Transport] returns when its token source
// fails; the request was then not sent. Err is the source's error (for a
// WorkOS source, for example, the sign-in-again error).
type TokenError struct {
	Err error
}

// Error says that no token could be had, and why.
func (e *TokenError) Error() string { return fmt.Sprintf("mastra: getting token: %v", e.Err) }

// Unwrap returns the token source's error.
func (e *TokenError) Unwrap() error { return e.Err }

// CloseIdleConnections closes the idle connections of the base transport,
// when it can.
func (t *Transport) CloseIdleConnections() {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// SameOrigin reports whether a and b have the same scheme, host and port,
// the test the [Transport] applies before it adds a token. Scheme and host
// compare case-insensitively, and an explicit default port (80 for http,
// 443 for https) equals none.
func SameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) {
		return false
	}
	return strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}
