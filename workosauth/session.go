package workosauth

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"golang.org/x/oauth2"
)

// Session is a signed-in WorkOS session: the token pair and what WorkOS said
// about the sign-in. It is what a [Store] keeps.
//
// Session holds secrets. Its String and GoString methods print no token, so
// printing a Session with fmt is safe; its JSON form (for stores) does
// contain the tokens.
type Session struct {
	// AccessToken is the WorkOS access token (a JWT), sent to Mastra as a
	// Bearer token.
	AccessToken string `json:"access_token"`
	// RefreshToken is the single-use refresh token; each refresh returns
	// a new one.
	RefreshToken string `json:"refresh_token"`
	// Expiry is the access token's exp claim. WorkOS sends no expires_in,
	// so this comes from the JWT (decoded, not verified: verification is
	// the server's job; the client only schedules its refresh).
	Expiry time.Time `json:"expiry"`
	// IssuedAt is the access token's iat claim (zero if absent).
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// OrganizationID is the organization the session is scoped to (the
	// token's org_id), empty when unscoped.
	OrganizationID string `json:"organization_id,omitempty"`
	// SessionID is the WorkOS session id (the token's sid claim), used to
	// sign out.
	SessionID string `json:"session_id,omitempty"`
	// User is the signed-in user as the code exchange returned it. A
	// refresh keeps the one from the exchange (WorkOS's refresh answer, as
	// workos-go decodes it, carries no user).
	User usermanagement.User `json:"user,omitzero"`
	// Impersonator is set when an admin is impersonating the user.
	Impersonator *usermanagement.Impersonator `json:"impersonator,omitempty"`
	// AuthenticationMethod is how the user signed in ("GoogleOAuth",
	// "SSO", "Password", "Impersonation", ...).
	AuthenticationMethod string `json:"authentication_method,omitempty"`
}

// Token converts the session into an *oauth2.Token: AccessToken, TokenType
// "Bearer", RefreshToken and Expiry from the JWT's exp. Extra holds
// "user_id", "organization_id" and "session_id".
func (s *Session) Token() *oauth2.Token {
	t := &oauth2.Token{
		AccessToken:  s.AccessToken,
		TokenType:    "Bearer",
		RefreshToken: s.RefreshToken,
		Expiry:       s.Expiry,
	}
	return t.WithExtra(map[string]any{
		"user_id":         s.User.ID,
		"organization_id": s.OrganizationID,
		"session_id":      s.SessionID,
	})
}

// String describes the session without its tokens.
func (s Session) String() string {
	return fmt.Sprintf("workosauth.Session{user %q, organization %q, session %q, expiry %s}",
		s.User.ID, s.OrganizationID, s.SessionID, s.Expiry.Format(time.RFC3339))
}

// GoString is like String, so %#v prints no token either.
func (s Session) GoString() string { return s.String() }

// accessClaims are the access-token claims the client side reads.
type accessClaims struct {
	Expiry   *jwt.NumericDate `json:"exp"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	OrgID    string           `json:"org_id"`
	SID      string           `json:"sid"`
	Act      *struct {
		Sub string `json:"sub"`
	} `json:"act"`
}

// clientTokenAlgs are the algorithms accepted when decoding (not verifying)
// an access token to read its claims.
var clientTokenAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

var errNoExpiry = errors.New("workosauth: the access token is not a JWT with an exp claim")

// readAccessToken decodes the claims of an access token without verifying
// its signature. It fails when the token is not a JWT or has no exp: a
// zero expiry would never be refreshed.
func readAccessToken(token string) (accessClaims, error) {
	var c accessClaims
	parsed, err := jwt.ParseSigned(token, clientTokenAlgs)
	if err != nil {
		return c, errNoExpiry
	}
	if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil || c.Expiry == nil {
		return c, errNoExpiry
	}
	return c, nil
}

// sessionFromTokens builds a session from a token pair, reading expiry,
// organization and session id from the access token.
func sessionFromTokens(access, refresh string) (*Session, error) {
	c, err := readAccessToken(access)
	if err != nil {
		return nil, err
	}
	s := &Session{
		AccessToken:    access,
		RefreshToken:   refresh,
		Expiry:         c.Expiry.Time().UTC(),
		OrganizationID: c.OrgID,
		SessionID:      c.SID,
	}
	if c.IssuedAt != nil {
		s.IssuedAt = c.IssuedAt.Time().UTC()
	}
	return s, nil
}

// SessionFromTokens builds a Session from an access token and refresh token
// obtained elsewhere (for example by a web front end), reading the expiry,
// organization and session id from the access token's claims. The token is
// decoded, not verified.
func SessionFromTokens(accessToken, refreshToken string) (*Session, error) {
	return sessionFromTokens(accessToken, refreshToken)
}

func (s *Session) clone() *Session {
	if s == nil {
		return nil
	}
	cp := *s
	if s.Impersonator != nil {
		imp := *s.Impersonator
		cp.Impersonator = &imp
	}
	return &cp
}
