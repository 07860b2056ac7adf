package workosauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// ClientConfig configures a [Client]. The zero value talks to
// [DefaultEndpoint] as a public client.
type ClientConfig struct {
	// APIKey is the WorkOS API key, sent as client_secret. It may be empty
	// for a public client that signs in with PKCE only (a command-line
	// app must not embed the key).
	APIKey string
	// Endpoint is the WorkOS API base URL (default [DefaultEndpoint]): a
	// custom authentication domain, or a workostest server in tests.
	Endpoint string
	// HTTPClient makes the calls (default: a client with a 10-second
	// timeout). Its Transport is wrapped, not modified.
	HTTPClient *http.Client
	// Now is the clock (default time.Now), used to schedule refreshes.
	Now func() time.Time
}

// Client exchanges authorization codes and refresh tokens with WorkOS User
// Management, through workos-go. It is safe for concurrent use.
type Client struct {
	clientID string
	apiKey   string
	um       *usermanagement.Client
	now      func() time.Time
}

// NewClient returns a Client for the WorkOS application clientID.
func NewClient(clientID string, cfg ClientConfig) (*Client, error) {
	if clientID == "" {
		return nil, errors.New("workosauth: NewClient: empty client id")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	wrapped := *hc
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped.Transport = &retryAfterTransport{base: base}
	um, err := NewUserManagementClient(cfg.APIKey, cfg.Endpoint, &wrapped)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{clientID: clientID, apiKey: cfg.APIKey, um: um, now: now}, nil
}

// ClientID returns the WorkOS client id the Client was made for.
func (c *Client) ClientID() string { return c.clientID }

// UserManagement returns the workos-go client the Client uses, pointed at
// the configured endpoint, for calls this package does not wrap.
func (c *Client) UserManagement() *usermanagement.Client { return c.um }

// ExchangeCode exchanges an authorization code (and the PKCE code verifier
// of the sign-in that produced it, if any) for a session.
//
// WorkOS refusals come back as [*APIError]: invalid_grant for a bad, used
// or expired code or a wrong verifier; sso_required, mfa_enrollment,
// organization_selection_required and the other interactive steps with
// their details. Neither the code nor the verifier appears in the error.
func (c *Client) ExchangeCode(ctx context.Context, code, codeVerifier string) (*Session, error) {
	if code == "" {
		return nil, ErrMissingCode
	}
	capture := &retryAfterCapture{}
	resp, err := c.um.AuthenticateWithCode(withCapture(ctx, capture), usermanagement.AuthenticateWithCodeOpts{
		ClientID:     c.clientID,
		Code:         code,
		CodeVerifier: codeVerifier,
	})
	if err != nil {
		return nil, c.wrapCallError(ctx, "exchanging the code", err, capture, code, codeVerifier)
	}
	s, err := sessionFromTokens(resp.AccessToken, resp.RefreshToken)
	if err != nil {
		return nil, err
	}
	s.User = resp.User
	if resp.OrganizationID != "" {
		s.OrganizationID = resp.OrganizationID
	}
	s.Impersonator = resp.Impersonator
	s.AuthenticationMethod = string(resp.AuthenticationMethod)
	return s, nil
}

// RefreshSession makes one refresh call: it spends refreshToken and returns
// the new session, scoped to organizationID when not empty (WorkOS scopes
// it to the session's original organization otherwise). It does not retry
// and keeps no state; a [TokenSource] adds single-flight, persistence and
// retries on top of it. User, impersonator and authentication method are
// not in workos-go's refresh answer: copy them from the previous session.
func (c *Client) RefreshSession(ctx context.Context, refreshToken, organizationID string) (*Session, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("%w: no refresh token", ErrSignInRequired)
	}
	capture := &retryAfterCapture{}
	resp, err := c.um.AuthenticateWithRefreshToken(withCapture(ctx, capture), usermanagement.AuthenticateWithRefreshTokenOpts{
		ClientID:       c.clientID,
		RefreshToken:   refreshToken,
		OrganizationID: organizationID,
	})
	if err != nil {
		return nil, c.wrapCallError(ctx, "refreshing the session", err, capture, refreshToken)
	}
	return sessionFromTokens(resp.AccessToken, resp.RefreshToken)
}

// wrapCallError turns a workos-go error into an *APIError, a context error,
// or a wrapped transport error, with no secret in its text.
func (c *Client) wrapCallError(ctx context.Context, what string, err error, capture *retryAfterCapture, secrets ...string) error {
	if ae := apiErrorFrom(err, capture.get(), append(secrets, c.apiKey)...); ae != err {
		return ae
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	// Transport errors (*url.Error) name the URL, which holds no secret
	// for these POST calls.
	return &transportError{what: what, err: err}
}

// transportError is a network failure talking to WorkOS.
type transportError struct {
	what string
	err  error
}

func (e *transportError) Error() string {
	return "workosauth: " + e.what + ": " + redact(e.err.Error())
}

func (e *transportError) Unwrap() error { return e.err }

// retryAfterCapture records the Retry-After header of one call's answer:
// workos-go does not expose it.
type retryAfterCapture struct {
	mu sync.Mutex
	v  string
}

func (c *retryAfterCapture) set(v string) {
	c.mu.Lock()
	c.v = v
	c.mu.Unlock()
}

func (c *retryAfterCapture) get() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v
}

type captureKey struct{}

func withCapture(ctx context.Context, c *retryAfterCapture) context.Context {
	return context.WithValue(ctx, captureKey{}, c)
}

// retryAfterTransport copies the Retry-After header of answers into the
// request's capture, if any.
type retryAfterTransport struct {
	base http.RoundTripper
}

func (t *retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if res != nil {
		if c, ok := req.Context().Value(captureKey{}).(*retryAfterCapture); ok {
			c.set(res.Header.Get("Retry-After"))
		}
	}
	return res, err
}
