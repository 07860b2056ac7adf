package workostest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Claims describes an access token for [Server.AccessToken]. Zero fields take
// the defaults WorkOS would use.
type Claims struct {
	// Subject is the sub claim: a user id ("user_01..."), or for a
	// machine token anything else (e.g. a client id). Required.
	Subject string
	// SessionID is the sid claim (default: a new "session_01..." id).
	SessionID string
	// OrganizationID is the org_id claim (omitted when empty).
	OrganizationID string
	// Role, Roles and Permissions are the role, roles and permissions
	// claims. When Subject is a known user with an active membership in
	// OrganizationID, empty ones are taken from that membership.
	Role        string
	Roles       []string
	Permissions []string
	// Impersonator, when set, is the act.sub claim (the impersonating
	// admin's email).
	Impersonator string
	// IssuedAt is iat (default: the fake's clock).
	IssuedAt time.Time
	// ExpiresAt is exp (default: IssuedAt + the access-token TTL).
	ExpiresAt time.Time
	// NotBefore is nbf (omitted when zero; WorkOS sends none).
	NotBefore time.Time
	// Issuer overrides iss (default: [Server.Issuer]).
	Issuer string
	// KeyID signs with a specific key the fake made (also a retired one);
	// default: the current signing key.
	KeyID string
	// Extra claims are merged in last, e.g. claims of a JWT template
	// ("urn:myapp:team", "email", "aud"). They override the ones above.
	Extra map[string]any
}

// AccessToken mints an RS256 access token signed like the fake's own. Use it
// to test verifiers with tokens of any shape (expired, other issuer, extra
// claims, signed by a retired key).
func (s *Server) AccessToken(c Claims) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessTokenLocked(c)
}

func (s *Server) accessTokenLocked(c Claims) (string, error) {
	if c.Subject == "" {
		return "", fmt.Errorf("workostest: AccessToken: missing Subject")
	}
	key, err := s.keyLocked(c.KeyID)
	if err != nil {
		return "", err
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = s.now()
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.IssuedAt.Add(s.accessTTL)
	}
	if c.SessionID == "" {
		c.SessionID = newID("session_")
	}
	if c.Issuer == "" {
		c.Issuer = s.issuer
	}
	if c.OrganizationID != "" {
		if m := s.activeMembershipLocked(c.Subject, c.OrganizationID); m != nil {
			if c.Role == "" {
				c.Role = m.Role
			}
			if c.Roles == nil {
				c.Roles = rolesOf(m)
			}
			if c.Permissions == nil {
				c.Permissions = append([]string{}, m.Permissions...)
			}
		}
	}
	claims := map[string]any{
		"iss": c.Issuer,
		"sub": c.Subject,
		"sid": c.SessionID,
		"jti": newID(""),
		"iat": c.IssuedAt.Unix(),
		"exp": c.ExpiresAt.Unix(),
	}
	if c.OrganizationID != "" {
		claims["org_id"] = c.OrganizationID
		role := c.Role
		if role == "" {
			role = "member"
		}
		claims["role"] = role
		roles := c.Roles
		if roles == nil {
			roles = []string{role}
		}
		claims["roles"] = roles
		perms := c.Permissions
		if perms == nil {
			perms = []string{}
		}
		claims["permissions"] = perms
	} else {
		if c.Role != "" {
			claims["role"] = c.Role
		}
		if c.Roles != nil {
			claims["roles"] = c.Roles
		}
		if c.Permissions != nil {
			claims["permissions"] = c.Permissions
		}
	}
	if c.Impersonator != "" {
		claims["act"] = map[string]string{"sub": c.Impersonator}
	}
	if !c.NotBefore.IsZero() {
		claims["nbf"] = c.NotBefore.Unix()
	}
	for k, v := range c.Extra {
		claims[k] = v
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("workostest: AccessToken: encoding claims: %w", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key.priv, KeyID: key.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", fmt.Errorf("workostest: AccessToken: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("workostest: AccessToken: %w", err)
	}
	return jws.CompactSerialize()
}

// Impersonator describes an admin impersonating the user of a session.
type Impersonator struct {
	Email  string
	Reason string
}

// CodeOptions shape the session an authorization code creates.
type CodeOptions struct {
	// OrganizationID scopes the session (it must be an active membership
	// of the user). When empty and the user has exactly one active
	// membership, that organization is used.
	OrganizationID string
	// CodeChallenge and CodeChallengeMethod ("S256" or "plain") bind the
	// code to a PKCE verifier.
	CodeChallenge       string
	CodeChallengeMethod string
	// AuthenticationMethod is reported by the exchange (default
	// "GoogleOAuth"; "Impersonation" when Impersonator is set).
	AuthenticationMethod string
	// Impersonator makes the session an impersonation: the exchange
	// reports it and tokens carry act.sub.
	Impersonator *Impersonator
}

// NewCode issues a single-use authorization code for a known user, as
// /user_management/authorize would after a successful sign-in. It expires
// after ten minutes of the fake's clock.
func (s *Server) NewCode(userID string, opts CodeOptions) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newCodeLocked(s.ClientID, userID, opts)
}

func (s *Server) newCodeLocked(clientID, userID string, opts CodeOptions) (string, error) {
	if _, ok := s.users[userID]; !ok {
		return "", fmt.Errorf("workostest: NewCode: unknown user %q", userID)
	}
	if opts.OrganizationID != "" && s.activeMembershipLocked(userID, opts.OrganizationID) == nil {
		return "", fmt.Errorf("workostest: NewCode: user %q has no active membership in %q", userID, opts.OrganizationID)
	}
	code := newSecret(20)
	s.codes[code] = &codeGrant{
		clientID:      clientID,
		userID:        userID,
		opts:          opts,
		challenge:     opts.CodeChallenge,
		challengeMeth: opts.CodeChallengeMethod,
		expires:       s.now().Add(s.codeTTL),
	}
	return code, nil
}
