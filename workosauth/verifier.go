package workosauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Verifier defaults; see [VerifierConfig].
const (
	DefaultMaxTokenSize       = 16 << 10         // bytes; WorkOS tokens are about 1 KiB
	DefaultKeyRefreshInterval = 10 * time.Minute // how long a fetched key set is trusted
	DefaultKeyRefetchCooldown = 10 * time.Second // least time between two key set fetches
	DefaultKeyFetchTimeout    = 10 * time.Second // bound on one key set fetch
)

// allowedAlgs is the explicit allow-list of signature algorithms. WorkOS
// signs access tokens with RS256 only.
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256}

// VerifierConfig tunes a [Verifier]. The zero value verifies WorkOS access
// tokens the way a Mastra server does (signature, exp and nbf, no issuer or
// audience check), but with a cached key set.
type VerifierConfig struct {
	// Endpoint is the WorkOS API base URL; empty means DefaultEndpoint.
	// The key set is read from Endpoint + "/sso/jwks/" + clientID.
	Endpoint string
	// JWKSURL, if set, replaces the key set location derived from Endpoint,
	// for example the /oauth2/jwks URL of an AuthKit domain that signs
	// machine-to-machine tokens.
	JWKSURL string
	// HTTPClient fetches the key set; nil means a client with a 10 s timeout.
	HTTPClient *http.Client

	// Issuers, if not empty, lists the accepted iss values (exact match).
	// WorkOS issuers vary by setup (for example "https://api.workos.com/",
	// "https://api.workos.com/user_management/<client_id>" or a custom auth
	// domain), so list every form you expect.
	Issuers []string
	// Audience, if set, must appear in the token's aud claim. WorkOS access
	// tokens carry no aud unless a JWT template adds one.
	Audience string
	// Leeway is the clock skew tolerated on exp and nbf. Zero means none,
	// as in Mastra; a few seconds is reasonable.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now. It drives claim
	// checks and key set refresh.
	Now func() time.Time
	// MaxTokenSize is the longest token accepted, in bytes; zero means
	// DefaultMaxTokenSize.
	MaxTokenSize int

	// KeyRefreshInterval is how long a fetched key set is trusted before it
	// is fetched again; zero means DefaultKeyRefreshInterval.
	KeyRefreshInterval time.Duration
	// KeyRefetchCooldown is the least time between two key set fetches;
	// zero means DefaultKeyRefetchCooldown.
	KeyRefetchCooldown time.Duration
	// KeyFetchTimeout bounds one key set fetch; zero means
	// DefaultKeyFetchTimeout.
	KeyFetchTimeout time.Duration
}

// Verifier checks WorkOS access tokens: RS256 signatures against the
// client's published key set, then exp, nbf and, if configured, iss and aud.
//
// Build one per process and share it: it caches the key set, and it is safe
// for concurrent use. Once warm, verifying a token makes no network call.
type Verifier struct {
	keys     *keySet
	issuers  []string
	audience string
	leeway   time.Duration
	now      func() time.Time
	maxSize  int
}

// NewVerifier returns a Verifier for the WorkOS client clientID. It does
// not contact WorkOS: the key set is fetched on first use.
func NewVerifier(clientID string, cfg VerifierConfig) (*Verifier, error) {
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		if clientID == "" {
			return nil, errors.New("workosauth: NewVerifier: client ID is required")
		}
		endpoint, err := normalizeEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		jwksURL = endpoint + "/sso/jwks/" + url.PathEscape(clientID)
	}
	if u, err := url.Parse(jwksURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("workosauth: NewVerifier: key set URL must be absolute http(s)")
	}
	if cfg.Leeway < 0 || cfg.MaxTokenSize < 0 || cfg.KeyRefreshInterval < 0 || cfg.KeyRefetchCooldown < 0 || cfg.KeyFetchTimeout < 0 {
		return nil, errors.New("workosauth: NewVerifier: negative durations and sizes are not allowed")
	}
	v := &Verifier{
		issuers:  slices.Clone(cfg.Issuers),
		audience: cfg.Audience,
		leeway:   cfg.Leeway,
		now:      cfg.Now,
		maxSize:  orDefault(cfg.MaxTokenSize, DefaultMaxTokenSize),
	}
	if v.now == nil {
		v.now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultKeyFetchTimeout}
	}
	v.keys = &keySet{
		url:      jwksURL,
		client:   client,
		now:      v.now,
		refresh:  orDefault(cfg.KeyRefreshInterval, DefaultKeyRefreshInterval),
		cooldown: orDefault(cfg.KeyRefetchCooldown, DefaultKeyRefetchCooldown),
		timeout:  orDefault(cfg.KeyFetchTimeout, DefaultKeyFetchTimeout),
	}
	return v, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Verify checks token and returns its claims. Any failure is a
// [*TokenError] whose Kind says why.
//
// Cheap checks run first (size, shape, algorithm, exp, nbf, iss, aud), so a
// token that fails them costs neither a key lookup nor an RSA operation.
func (v *Verifier) Verify(ctx context.Context, token string) (*VerifiedToken, error) {
	if token == "" {
		return nil, tokenError(ErrTokenMissing, "")
	}
	if len(token) > v.maxSize {
		return nil, tokenError(ErrTokenTooLarge, "")
	}
	if strings.Count(token, ".") != 2 {
		return nil, tokenError(ErrTokenMalformed, "not three dot-separated parts")
	}
	rawHeader, rest, _ := strings.Cut(token, ".")
	rawPayload, _, _ := strings.Cut(rest, ".")

	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if _, err := decodeSegment(rawHeader, &header); err != nil {
		return nil, tokenError(ErrTokenMalformed, "header: "+err.Error())
	}
	if header.Alg != string(jose.RS256) {
		return nil, tokenError(ErrTokenAlgorithm, "only RS256 is accepted")
	}
	var claims map[string]any
	rawClaims, err := decodeSegment(rawPayload, &claims)
	if err != nil {
		return nil, tokenError(ErrTokenMalformed, "payload: "+err.Error())
	}
	vt, err := newVerifiedToken(claims)
	if err != nil {
		return nil, err
	}
	if err := v.checkClaims(vt); err != nil {
		return nil, err
	}
	if header.Kid == "" {
		return nil, tokenError(ErrTokenUnknownKey, "no kid")
	}

	key, err := v.keys.key(ctx, header.Kid)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(token, allowedAlgs)
	if err != nil {
		return nil, tokenError(ErrTokenMalformed, "not a JWS")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, tokenError(ErrTokenSignature, "")
	}
	// go-jose verified the bytes we decoded above; make sure.
	if !bytes.Equal(payload, rawClaims) {
		return nil, tokenError(ErrTokenMalformed, "payload mismatch")
	}
	return vt, nil
}

// checkClaims applies the time, issuer and audience rules.
func (v *Verifier) checkClaims(t *VerifiedToken) error {
	now := v.now()
	// Like jsonwebtoken: expired once now >= exp (+ leeway).
	if !now.Before(t.Expiry.Add(v.leeway)) {
		return &TokenError{Kind: ErrTokenExpired, Expiry: t.Expiry}
	}
	if !t.NotBefore.IsZero() && now.Add(v.leeway).Before(t.NotBefore) {
		return tokenError(ErrTokenNotYetValid, "")
	}
	if len(v.issuers) > 0 && !slices.Contains(v.issuers, t.Issuer) {
		return tokenError(ErrTokenIssuer, "")
	}
	if v.audience != "" && !slices.Contains(t.Audience, v.audience) {
		return tokenError(ErrTokenAudience, "")
	}
	return nil
}

var b64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one base64url JWS segment holding a JSON object
// into out and returns the decoded bytes. Errors describe the failure
// without echoing input.
func decodeSegment(seg string, out any) ([]byte, error) {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return nil, errors.New("bad base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return b, nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
