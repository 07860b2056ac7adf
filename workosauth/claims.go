package workosauth

import (
	"strings"
	"time"
)

// VerifiedToken holds the claims of an access token that passed
// [Verifier.Verify]. The common WorkOS claims have fields; every claim,
// including those added by a JWT template, is in Claims.
type VerifiedToken struct {
	Issuer         string    // iss
	Subject        string    // sub: a WorkOS user id, or a client id for M2M tokens
	Audience       []string  // aud, if any
	Expiry         time.Time // exp
	IssuedAt       time.Time // iat, if any
	NotBefore      time.Time // nbf, if any
	ID             string    // jti
	SessionID      string    // sid
	OrganizationID string    // org_id
	Role           string    // role
	Roles          []string  // roles
	Permissions    []string  // permissions
	// Impersonator is act.sub, the email of an admin impersonating the user.
	Impersonator string
	// Claims holds every claim as decoded JSON; numbers are json.Number.
	Claims map[string]any
}

// Claim returns the string at a dot-separated claim path such as
// "urn:mastra:team_id" or "act.sub". Like Mastra it walks nested objects and
// returns only string values.
func (t *VerifiedToken) Claim(path string) (string, bool) {
	return claimString(t.Claims, path)
}

func claimString(claims map[string]any, path string) (string, bool) {
	if path == "" {
		return "", false
	}
	var cur any = claims
	for part := range strings.SplitSeq(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur = obj[part]
	}
	s, ok := cur.(string)
	return s, ok
}

// newVerifiedToken reads the registered and WorkOS claims; exp is required.
func newVerifiedToken(claims map[string]any) (*VerifiedToken, error) {
	t := &VerifiedToken{Claims: claims}
	var ok bool
	if t.Expiry, ok = numericDate(claims["exp"]); !ok {
		return nil, tokenError(ErrTokenMalformed, "missing or invalid exp")
	}
	for name, dst := range map[string]*time.Time{"nbf": &t.NotBefore, "iat": &t.IssuedAt} {
		if v, present := claims[name]; present {
			if *dst, ok = numericDate(v); !ok {
				return nil, tokenError(ErrTokenMalformed, "invalid "+name)
			}
		}
	}
	for name, dst := range map[string]*string{
		"iss": &t.Issuer, "sub": &t.Subject, "jti": &t.ID, "sid": &t.SessionID,
		"org_id": &t.OrganizationID, "role": &t.Role,
	} {
		if v, present := claims[name]; present {
			if *dst, ok = v.(string); !ok {
				return nil, tokenError(ErrTokenMalformed, "invalid "+name)
			}
		}
	}
	switch aud := claims["aud"].(type) {
	case nil:
	case string:
		t.Audience = []string{aud}
	case []any:
		t.Audience, ok = stringList(aud)
		if !ok {
			return nil, tokenError(ErrTokenMalformed, "invalid aud")
		}
	default:
		return nil, tokenError(ErrTokenMalformed, "invalid aud")
	}
	// Lists WorkOS adds; tolerate odd shapes rather than refuse the token.
	t.Roles, _ = stringList(claims["roles"])
	t.Permissions, _ = stringList(claims["permissions"])
	t.Impersonator, _ = claimString(claims, "act.sub")
	return t, nil
}

func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// ClaimPaths names the claims a user is read from, as dot-separated paths
// into the verified claims (see [VerifiedToken.Claim]). Only string values
// are used. Mirrors the jwtClaims option of MastraAuthWorkos; an empty field
// means the default, and a path that is absent from a token falls back to
// the default too.
type ClaimPaths struct {
	UserID                   string // Mastra user id; default "sub"
	WorkOSID                 string // WorkOS user id; default: the user id
	Email                    string // default "email"
	Name                     string // default "name"
	OrganizationID           string // default "org_id"
	OrganizationMembershipID string // no default, e.g. "urn:mastra:organization_membership_id"
}
