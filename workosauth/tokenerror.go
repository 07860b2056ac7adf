package workosauth

import (
	"errors"
	"time"
)

// Sentinel errors for refused access tokens. A [*TokenError] wraps exactly
// one of them, so callers can test the reason with errors.Is.
var (
	// ErrTokenMissing means no bearer token was presented.
	ErrTokenMissing = errors.New("workosauth: no bearer token")
	// ErrTokenMalformed means the token is not a well-formed compact JWS
	// carrying a JSON claims set with an exp claim.
	ErrTokenMalformed = errors.New("workosauth: malformed token")
	// ErrTokenTooLarge means the token is longer than the verifier accepts.
	ErrTokenTooLarge = errors.New("workosauth: token too large")
	// ErrTokenAlgorithm means the token names an algorithm other than RS256
	// (for example "none" or HS256).
	ErrTokenAlgorithm = errors.New("workosauth: token algorithm not allowed")
	// ErrTokenSignature means the signature does not match the key named by
	// the token's kid.
	ErrTokenSignature = errors.New("workosauth: bad token signature")
	// ErrTokenUnknownKey means the token's kid is not in the WorkOS key set,
	// even after refetching it.
	ErrTokenUnknownKey = errors.New("workosauth: token signed by unknown key")
	// ErrTokenExpired means the token's exp lies in the past (beyond the
	// leeway).
	ErrTokenExpired = errors.New("workosauth: token expired")
	// ErrTokenNotYetValid means the token's nbf lies in the future (beyond
	// the leeway).
	ErrTokenNotYetValid = errors.New("workosauth: token not valid yet")
	// ErrTokenIssuer means the token's iss is not one of the configured
	// issuers.
	ErrTokenIssuer = errors.New("workosauth: token issuer not allowed")
	// ErrTokenAudience means the token's aud does not contain the configured
	// audience.
	ErrTokenAudience = errors.New("workosauth: token audience not allowed")
	// ErrKeySetUnavailable means the WorkOS key set could not be fetched and
	// no cached key could decide the token.
	ErrKeySetUnavailable = errors.New("workosauth: WorkOS key set unavailable")
)

// TokenError reports why an access token was refused. Its text never
// contains the token or any part of it.
//
//	var te *workosauth.TokenError
//	if errors.As(err, &te) && errors.Is(err, workosauth.ErrTokenExpired) {
//		log.Printf("expired at %v", te.Expiry)
//	}
type TokenError struct {
	// Kind is one of the ErrToken… sentinels or ErrKeySetUnavailable.
	Kind error
	// Reason adds detail in a few words (never token content).
	Reason string
	// Expiry is the token's exp claim when Kind is ErrTokenExpired.
	Expiry time.Time
	// Err is the underlying cause, if any, such as a key set fetch failure.
	Err error
}

// Error returns "<kind>: <reason>: <cause>", without token content.
func (e *TokenError) Error() string {
	s := "workosauth: invalid token"
	if e.Kind != nil {
		s = e.Kind.Error()
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns Kind and Err, so errors.Is matches either.
func (e *TokenError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func tokenError(kind error, reason string) *TokenError {
	return &TokenError{Kind: kind, Reason: reason}
}
