package workostest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base32"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Defaults used by [New] when no option overrides them.
const (
	DefaultClientID       = "client_01TESTCLIENT"
	DefaultAPIKey         = "sk_test_workostest"
	DefaultAccessTokenTTL = 5 * time.Minute
	DefaultCodeTTL        = 10 * time.Minute
)

// Server is a running fake WorkOS. Create it with [New] and stop it with
// [Server.Close]. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake (http://127.0.0.1:port), to use as the
	// WorkOS endpoint (workos-go's Client.Endpoint).
	URL string
	// ClientID is the client id the fake accepts (its JWKS path, the
	// client_id of authorize and authenticate).
	ClientID string
	// APIKey is the secret the fake accepts as client_secret and as the
	// Bearer key of management calls.
	APIKey string

	srv *httptest.Server

	mu             sync.Mutex
	now            func() time.Time
	issuer         string
	accessTTL      time.Duration
	codeTTL        time.Duration
	users          map[string]*User
	userOrder      []string
	memberships    []*Membership
	codes          map[string]*codeGrant
	refreshTokens  map[string]*refreshGrant
	sessions       map[string]*session
	keys           []*signingKey // all keys ever made, oldest first
	authorizeUser  string
	authorizeError [2]string
	faults         []*faultState
	calls          []Call
	requestSeq     int
}

type signingKey struct {
	kid       string
	priv      *rsa.PrivateKey
	published bool
}

type codeGrant struct {
	clientID      string
	userID        string
	opts          CodeOptions
	challenge     string
	challengeMeth string
	expires       time.Time
	used          bool
}

type refreshGrant struct {
	sessionID string
	used      bool
}

type session struct {
	id           string
	userID       string
	orgID        string // organization of the original authentication
	method       string
	impersonator *Impersonator
	ended        bool
}

// Option configures a [Server].
type Option func(*Server)

// WithClientID sets the client id the fake accepts (default [DefaultClientID]).
func WithClientID(id string) Option { return func(s *Server) { s.ClientID = id } }

// WithAPIKey sets the API key the fake accepts (default [DefaultAPIKey]).
func WithAPIKey(key string) Option { return func(s *Server) { s.APIKey = key } }

// WithAccessTokenTTL sets the lifetime of access tokens the fake issues
// (default [DefaultAccessTokenTTL], WorkOS's default of five minutes).
func WithAccessTokenTTL(d time.Duration) Option { return func(s *Server) { s.accessTTL = d } }

// WithIssuer sets the iss claim of issued tokens. The default is
// URL + "/user_management/" + ClientID, the form real tokens commonly carry.
func WithIssuer(iss string) Option { return func(s *Server) { s.issuer = iss } }

// WithClock sets the clock used for iat/exp and code expiry; see
// [Server.SetClock].
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake WorkOS on 127.0.0.1 with one RS256 signing key (the
// same RSA key in every fake of the process, under a kid of its own: key
// generation is slow under the race detector; [Server.RotateKey] makes
// fresh keys). It panics
// only if no key can be generated or no port can be bound, as
// [httptest.NewServer] does.
func New(opts ...Option) *Server {
	s := &Server{
		ClientID:      DefaultClientID,
		APIKey:        DefaultAPIKey,
		now:           time.Now,
		accessTTL:     DefaultAccessTokenTTL,
		codeTTL:       DefaultCodeTTL,
		users:         map[string]*User{},
		codes:         map[string]*codeGrant{},
		refreshTokens: map[string]*refreshGrant{},
		sessions:      map[string]*session{},
	}
	for _, o := range opts {
		o(s)
	}
	if _, err := s.newKeyLocked(); err != nil {
		panic("workostest: generating an RSA key: " + err.Error())
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	if s.issuer == "" {
		s.issuer = s.URL + "/user_management/" + s.ClientID
	}
	return s
}

// Close shuts the fake down, closing its connections.
func (s *Server) Close() { s.srv.Close() }

// Client returns an *http.Client for the fake (the httptest server's client).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Issuer returns the iss claim of the tokens the fake issues.
func (s *Server) Issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuer
}

// JWKSURL returns the URL of the fake's JWKS for its client id, as workos-go's
// GetJWKSURL would build it.
func (s *Server) JWKSURL() string { return s.URL + "/sso/jwks/" + s.ClientID }

// SetClock replaces the fake's clock (nil restores time.Now). Issued tokens'
// iat and exp, code expiry and recorded call times follow it. Injected delays
// ([Fault.Delay]) stay in real time.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// Now returns the fake's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// SetAuthorizeUser chooses the user that /user_management/authorize signs
// in (by id) when the request's login_hint names no known email. By default
// it is the first user added.
func (s *Server) SetAuthorizeUser(userID string) {
	s.mu.Lock()
	s.authorizeUser = userID
	s.mu.Unlock()
}

// SetAuthorizeError makes /user_management/authorize redirect back with
// ?error=code&error_description=description (and the state) instead of a
// code, as when the user cancels ("access_denied"). An empty code restores
// normal behaviour.
func (s *Server) SetAuthorizeError(code, description string) {
	s.mu.Lock()
	s.authorizeError = [2]string{code, description}
	s.mu.Unlock()
}

// EndSession ends a session (by its sid) as a sign-out or revocation
// would: its refresh tokens stop working with invalid_grant. It reports
// whether the session existed.
func (s *Server) EndSession(sessionID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[sessionID]
	if ok {
		ss.ended = true
	}
	return ok
}

// newID returns prefix + 26 random upper-case base32 characters, like
// WorkOS's ULID-based ids (user_01..., org_01...).
func newID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + "01" + strings.ToUpper(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:24]
}

// newSecret returns an opaque random token of n bytes, base32-encoded.
func newSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// firstKey is the RSA key every Server starts with (under its own kid):
// generating a 2048-bit key takes long under the race detector, and tests
// start many fakes. RotateKey always makes a new key.
var firstKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

func (s *Server) newKeyLocked() (string, error) {
	var priv *rsa.PrivateKey
	var err error
	if len(s.keys) == 0 {
		priv, err = firstKey()
	} else {
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		return "", err
	}
	kid := newID("sso_oidc_key_pair_")
	s.keys = append(s.keys, &signingKey{kid: kid, priv: priv, published: true})
	return kid, nil
}

// RotateKey makes a new RS256 key, publishes it in the JWKS and signs new
// tokens with it. Older keys stay published (tokens they signed still
// verify) until [Server.RetireOldKeys]. It returns the new key id.
func (s *Server) RotateKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kid, err := s.newKeyLocked()
	if err != nil {
		panic("workostest: generating an RSA key: " + err.Error())
	}
	return kid
}

// RetireOldKeys removes every key but the current signing key from the JWKS.
// Tokens signed with the retired keys no longer verify against it.
func (s *Server) RetireOldKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys[:len(s.keys)-1] {
		k.published = false
	}
}

// SigningKeyID returns the kid of the key that signs new tokens.
func (s *Server) SigningKeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1].kid
}

// JWKS returns the public keys the fake currently publishes at
// /sso/jwks/{client_id}, newest first.
func (s *Server) JWKS() jose.JSONWebKeySet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwksLocked()
}

func (s *Server) jwksLocked() jose.JSONWebKeySet {
	var set jose.JSONWebKeySet
	for i := len(s.keys) - 1; i >= 0; i-- {
		k := s.keys[i]
		if !k.published {
			continue
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       &k.priv.PublicKey,
			KeyID:     k.kid,
			Algorithm: string(jose.RS256),
			Use:       "sig",
		})
	}
	return set
}

func (s *Server) keyLocked(kid string) (*signingKey, error) {
	if kid == "" {
		return s.keys[len(s.keys)-1], nil
	}
	for _, k := range s.keys {
		if k.kid == kid {
			return k, nil
		}
	}
	return nil, fmt.Errorf("workostest: unknown key id %q", kid)
}
