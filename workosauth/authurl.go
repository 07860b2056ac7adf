package workosauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// AuthURLParams say where WorkOS sends the user to sign in. Set at most one
// of Provider, OrganizationID and ConnectionID; with none, the AuthKit
// hosted sign-in ("authkit") is used.
type AuthURLParams struct {
	// RedirectURI is the callback WorkOS redirects to with the code. It
	// must be registered with WorkOS. Required.
	RedirectURI string
	// Provider is "authkit" or an OAuth provider ("GoogleOAuth",
	// "MicrosoftOAuth", "GitHubOAuth", "AppleOAuth").
	Provider string
	// OrganizationID starts SSO for an organization and scopes the
	// session to it.
	OrganizationID string
	// ConnectionID starts SSO with a specific connection.
	ConnectionID string
	// LoginHint pre-fills the email; DomainHint the organization domain.
	LoginHint  string
	DomainHint string
	// ScreenHint is "sign-in" or "sign-up" (AuthKit only).
	ScreenHint string
	// ProviderScopes are extra OAuth scopes for the provider.
	ProviderScopes []string
	// DisablePKCE leaves out the code challenge. PKCE is on by default;
	// without it the code exchange needs the API key.
	DisablePKCE bool
}

// AuthRequest is one sign-in attempt: the URL to send the user to, and the
// state and PKCE verifier that complete it. Keep it on the server side (in
// memory or a server-side session), keyed to the browser, until the
// callback; never put it in the URL. String prints no secret.
type AuthRequest struct {
	// URL is the WorkOS authorization URL.
	URL string
	// State is the random CSRF state sent with the URL; the callback must
	// echo it.
	State string
	// CodeVerifier is the PKCE verifier, empty when PKCE is off.
	CodeVerifier string
	// RedirectURI is the callback the URL names.
	RedirectURI string
}

// String describes the request without state or verifier.
func (r AuthRequest) String() string {
	return fmt.Sprintf("workosauth.AuthRequest{redirect %q}", r.RedirectURI)
}

// GoString is like String.
func (r AuthRequest) GoString() string { return r.String() }

// AuthorizationURL starts a sign-in: it makes a random state and a PKCE
// verifier (S256) and builds the WorkOS authorization URL.
func (c *Client) AuthorizationURL(p AuthURLParams) (*AuthRequest, error) {
	if p.RedirectURI == "" {
		return nil, errors.New("workosauth: AuthorizationURL: empty RedirectURI")
	}
	selectors := 0
	for _, s := range []string{p.Provider, p.OrganizationID, p.ConnectionID} {
		if s != "" {
			selectors++
		}
	}
	if selectors > 1 {
		return nil, errors.New("workosauth: AuthorizationURL: set only one of Provider, OrganizationID and ConnectionID")
	}
	if selectors == 0 {
		p.Provider = "authkit"
	}
	req := &AuthRequest{State: randomString(32), RedirectURI: p.RedirectURI}
	opts := usermanagement.GetAuthorizationURLOpts{
		ClientID:       c.clientID,
		RedirectURI:    p.RedirectURI,
		Provider:       p.Provider,
		ConnectionID:   p.ConnectionID,
		OrganizationID: p.OrganizationID,
		State:          req.State,
		LoginHint:      p.LoginHint,
		DomainHint:     p.DomainHint,
		ScreenHint:     usermanagement.ScreenHint(p.ScreenHint),
		ProviderScopes: p.ProviderScopes,
	}
	if !p.DisablePKCE {
		req.CodeVerifier = randomString(48)
		sum := sha256.Sum256([]byte(req.CodeVerifier))
		opts.CodeChallenge = base64.RawURLEncoding.EncodeToString(sum[:])
		opts.CodeChallengeMethod = "S256"
	}
	u, err := c.um.GetAuthorizationURL(opts)
	if err != nil {
		return nil, fmt.Errorf("workosauth: AuthorizationURL: %w", err)
	}
	req.URL = u.String()
	return req, nil
}

// CallbackError is an error WorkOS reported to the callback instead of a
// code (?error=access_denied&error_description=...).
type CallbackError struct {
	Code        string
	Description string
}

// Error describes the refusal WorkOS reported.
func (e *CallbackError) Error() string {
	if e.Description == "" {
		return "workosauth: sign-in failed: " + e.Code
	}
	return "workosauth: sign-in failed: " + e.Code + ": " + e.Description
}

// Code checks an authorization callback's query against the request: an
// error parameter gives a [*CallbackError], a state other than r.State gives
// [ErrStateMismatch] (compared in constant time), no code gives
// [ErrMissingCode]. It returns the code.
func (r *AuthRequest) Code(query url.Values) (string, error) {
	if e := query.Get("error"); e != "" {
		return "", &CallbackError{Code: e, Description: query.Get("error_description")}
	}
	if r.State == "" || subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(r.State)) != 1 {
		return "", ErrStateMismatch
	}
	code := query.Get("code")
	if code == "" {
		return "", ErrMissingCode
	}
	return code, nil
}

// CompleteSignIn checks the callback's query against req (see
// [AuthRequest.Code]) and exchanges the code with req's PKCE verifier.
func (c *Client) CompleteSignIn(ctx context.Context, req *AuthRequest, query url.Values) (*Session, error) {
	code, err := req.Code(query)
	if err != nil {
		return nil, err
	}
	return c.ExchangeCode(ctx, code, req.CodeVerifier)
}

// randomString returns n random bytes, base64url-encoded (unpadded).
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24).
	return base64.RawURLEncoding.EncodeToString(b)
}
