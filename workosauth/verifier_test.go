package workosauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/workosauth"
)

// Test fixtures for the server side. Names start with vt so they cannot
// clash with the client side's test helpers in this package.

var vtRSAKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// vtEpoch is the fixed "now" of the tests.
var vtEpoch = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// vtClock is an injectable clock.
type vtClock struct {
	mu sync.Mutex
	t  time.Time
}

func newVTClock() *vtClock { return &vtClock{t: vtEpoch} }

func (c *vtClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vtClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// vtJWKS serves a key set and counts fetches; it can be made to fail.
type vtJWKS struct {
	srv    *httptest.Server
	mu     sync.Mutex
	keys   map[string]*rsa.PrivateKey
	status int           // non-zero: answer with this status
	delay  time.Duration // sleep before answering (only in concurrency tests)
	calls  atomic.Int32
}

func newVTJWKS(t testing.TB) *vtJWKS {
	j := &vtJWKS{keys: map[string]*rsa.PrivateKey{"key_1": vtRSAKeys()[0]}}
	j.srv = httptest.NewServer(http.HandlerFunc(j.serve))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *vtJWKS) serve(w http.ResponseWriter, r *http.Request) {
	j.mu.Lock()
	j.calls.Add(1) // under mu: counted calls see the keys as of their arrival
	status, delay := j.status, j.delay
	var set jose.JSONWebKeySet
	for kid, k := range j.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
	}
	j.mu.Unlock()
	time.Sleep(delay)
	if status != 0 {
		http.Error(w, `{"message":"boom"}`, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

func (j *vtJWKS) setKeys(keys map[string]*rsa.PrivateKey) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.keys = keys
}

func (j *vtJWKS) setStatus(status int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.status = status
}

// verifier returns a Verifier reading this key set, on clock.
func (j *vtJWKS) verifier(t testing.TB, clock *vtClock, cfg workosauth.VerifierConfig) *workosauth.Verifier {
	t.Helper()
	cfg.JWKSURL = j.srv.URL + "/sso/jwks/client_test"
	cfg.Now = clock.Now
	v, err := workosauth.NewVerifier("client_test", cfg)
	require.NoError(t, err)
	return v
}

// vtClaims returns WorkOS-shaped access token claims valid at vtEpoch.
func vtClaims() map[string]any {
	return map[string]any{
		"iss":         "https://api.workos.com/user_management/client_test",
		"sub":         "user_01ALICE",
		"sid":         "session_01",
		"jti":         "jti_01",
		"org_id":      "org_01",
		"role":        "admin",
		"roles":       []string{"admin"},
		"permissions": []string{"agents:read"},
		"iat":         vtEpoch.Add(-time.Minute).Unix(),
		"exp":         vtEpoch.Add(4 * time.Minute).Unix(),
	}
}

// vtSign signs claims with RS256 under kid.
func vtSign(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	s, err := jws.CompactSerialize()
	require.NoError(t, err)
	return s
}

func vtB64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// vtTamper replaces the payload of a signed token, keeping its signature.
func vtTamper(token string, claims map[string]any) string {
	parts := strings.Split(token, ".")
	parts[1] = vtB64(claims)
	return strings.Join(parts, ".")
}

func TestVerifierAcceptsWorkOSToken(t *testing.T) {
	j := newVTJWKS(t)
	v := j.verifier(t, newVTClock(), workosauth.VerifierConfig{})
	claims := vtClaims()
	claims["act"] = map[string]any{"sub": "admin@example.com"}
	claims["urn:mastra:team_id"] = "team_1"

	tok, err := v.Verify(context.Background(), vtSign(t, vtRSAKeys()[0], "key_1", claims))
	require.NoError(t, err)
	require.Equal(t, "user_01ALICE", tok.Subject)
	require.Equal(t, "session_01", tok.SessionID)
	require.Equal(t, "org_01", tok.OrganizationID)
	require.Equal(t, "admin", tok.Role)
	require.Equal(t, []string{"admin"}, tok.Roles)
	require.Equal(t, []string{"agents:read"}, tok.Permissions)
	require.Equal(t, "admin@example.com", tok.Impersonator)
	require.Equal(t, vtEpoch.Add(4*time.Minute), tok.Expiry)
	require.Equal(t, "https://api.workos.com/user_management/client_test", tok.Issuer)
	team, ok := tok.Claim("urn:mastra:team_id")
	require.True(t, ok)
	require.Equal(t, "team_1", team)
	_, ok = tok.Claim("roles") // not a string
	require.False(t, ok)
}

func TestVerifierRefusesBadTokens(t *testing.T) {
	key := vtRSAKeys()[0]
	good := vtSign(t, key, "key_1", vtClaims())
	parts := strings.Split(good, ".")
	with := func(k string, v any) map[string]any {
		c := vtClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubDER}, (&jose.SignerOptions{}).WithHeader("kid", "key_1"))
	require.NoError(t, err)
	hsJWS, err := hs.Sign([]byte(parts[1]))
	require.NoError(t, err)
	hsToken, err := hsJWS.CompactSerialize()
	require.NoError(t, err)
	sig := []byte(parts[2])
	sig[10] = 'A' // still valid base64url
	if parts[2][10] == 'A' {
		sig[10] = 'B'
	}

	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", workosauth.ErrTokenMissing},
		{"garbage", "not a token", workosauth.ErrTokenMalformed},
		{"two parts", parts[0] + "." + parts[1], workosauth.ErrTokenMalformed},
		{"four parts", good + ".AAAA", workosauth.ErrTokenMalformed},
		{"bad base64 header", "!!!." + parts[1] + "." + parts[2], workosauth.ErrTokenMalformed},
		{"bad base64 payload", parts[0] + ".a*b." + parts[2], workosauth.ErrTokenMalformed},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], workosauth.ErrTokenMalformed},
		{"header not json", vtB64("x")[:2] + "." + parts[1] + "." + parts[2], workosauth.ErrTokenMalformed},
		{"payload not object", parts[0] + "." + vtB64([]int{1}) + "." + parts[2], workosauth.ErrTokenMalformed},
		{"alg none", vtB64(map[string]string{"alg": "none", "kid": "key_1"}) + "." + parts[1] + ".", workosauth.ErrTokenAlgorithm},
		{"alg None", vtB64(map[string]string{"alg": "None"}) + "." + parts[1] + ".", workosauth.ErrTokenAlgorithm},
		{"no alg", vtB64(map[string]string{"kid": "key_1"}) + "." + parts[1] + "." + parts[2], workosauth.ErrTokenAlgorithm},
		{"HS256 with public key as secret", hsToken, workosauth.ErrTokenAlgorithm},
		{"RS512", vtB64(map[string]string{"alg": "RS512", "kid": "key_1"}) + "." + parts[1] + "." + parts[2], workosauth.ErrTokenAlgorithm},
		{"tampered payload", vtTamper(good, with("sub", "user_01MALLORY")), workosauth.ErrTokenSignature},
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(sig), workosauth.ErrTokenSignature},
		{"signature by other key", vtSign(t, vtRSAKeys()[1], "key_1", vtClaims()), workosauth.ErrTokenSignature},
		{"no signature", parts[0] + "." + parts[1] + ".", workosauth.ErrTokenSignature},
		{"expired", vtSign(t, key, "key_1", with("exp", vtEpoch.Unix())), workosauth.ErrTokenExpired},
		{"not yet valid", vtSign(t, key, "key_1", with("nbf", vtEpoch.Add(time.Minute).Unix())), workosauth.ErrTokenNotYetValid},
		{"no exp", vtSign(t, key, "key_1", with("exp", nil)), workosauth.ErrTokenMalformed},
		{"exp as string", vtSign(t, key, "key_1", with("exp", "tomorrow")), workosauth.ErrTokenMalformed},
		{"sub as number", vtSign(t, key, "key_1", with("sub", 7)), workosauth.ErrTokenMalformed},
		{"aud as number", vtSign(t, key, "key_1", with("aud", 7)), workosauth.ErrTokenMalformed},
		{"unknown kid", vtSign(t, key, "key_404", vtClaims()), workosauth.ErrTokenUnknownKey},
		{"no kid", vtB64(map[string]string{"alg": "RS256"}) + "." + parts[1] + "." + parts[2], workosauth.ErrTokenUnknownKey},
		{"oversized", vtSign(t, key, "key_1", with("pad", strings.Repeat("x", workosauth.DefaultMaxTokenSize))), workosauth.ErrTokenTooLarge},
	}
	j := newVTJWKS(t)
	v := j.verifier(t, newVTClock(), workosauth.VerifierConfig{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), tc.token)
			require.Nil(t, tok)
			require.ErrorIs(t, err, tc.want)
			var te *workosauth.TokenError
			require.ErrorAs(t, err, &te)
			vtRequireNoTokenIn(t, err.Error(), tc.token)
		})
	}
}

// vtRequireNoTokenIn fails if s contains the token or any of its segments.
func vtRequireNoTokenIn(t testing.TB, s, token string) {
	t.Helper()
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 {
			require.NotContains(t, s, part)
		}
	}
}

func TestVerifierIssuerAudienceLeeway(t *testing.T) {
	key := vtRSAKeys()[0]
	j := newVTJWKS(t)
	clock := newVTClock()
	ctx := context.Background()

	v := j.verifier(t, clock, workosauth.VerifierConfig{
		Issuers:  []string{"https://api.workos.com/", "https://api.workos.com/user_management/client_test"},
		Audience: "my-api",
		Leeway:   30 * time.Second,
	})
	c := vtClaims()
	c["aud"] = []string{"other", "my-api"}
	_, err := v.Verify(ctx, vtSign(t, key, "key_1", c))
	require.NoError(t, err)

	c["aud"] = "my-api"
	_, err = v.Verify(ctx, vtSign(t, key, "key_1", c))
	require.NoError(t, err)

	delete(c, "aud")
	_, err = v.Verify(ctx, vtSign(t, key, "key_1", c))
	require.ErrorIs(t, err, workosauth.ErrTokenAudience)

	c = vtClaims()
	c["aud"] = "my-api"
	c["iss"] = "https://evil.example/"
	_, err = v.Verify(ctx, vtSign(t, key, "key_1", c))
	require.ErrorIs(t, err, workosauth.ErrTokenIssuer)

	// Leeway: 20 s past exp is fine with 30 s leeway, 31 s is not.
	c = vtClaims()
	c["aud"] = "my-api"
	token := vtSign(t, key, "key_1", c)
	clock.Add(4*time.Minute + 20*time.Second)
	_, err = v.Verify(ctx, token)
	require.NoError(t, err)
	clock.Add(11 * time.Second)
	_, err = v.Verify(ctx, token)
	require.ErrorIs(t, err, workosauth.ErrTokenExpired)
	var te *workosauth.TokenError
	require.ErrorAs(t, err, &te)
	require.Equal(t, vtEpoch.Add(4*time.Minute), te.Expiry.UTC())

	// nbf within the leeway is accepted.
	clock = newVTClock()
	v = j.verifier(t, clock, workosauth.VerifierConfig{Leeway: 30 * time.Second})
	c = vtClaims()
	c["nbf"] = vtEpoch.Add(20 * time.Second).Unix()
	_, err = v.Verify(ctx, vtSign(t, key, "key_1", c))
	require.NoError(t, err)
}

func TestNewVerifierValidates(t *testing.T) {
	_, err := workosauth.NewVerifier("", workosauth.VerifierConfig{})
	require.Error(t, err)
	_, err = workosauth.NewVerifier("client_1", workosauth.VerifierConfig{Endpoint: "ftp://x"})
	require.Error(t, err)
	_, err = workosauth.NewVerifier("client_1", workosauth.VerifierConfig{JWKSURL: "/relative"})
	require.Error(t, err)
	_, err = workosauth.NewVerifier("client_1", workosauth.VerifierConfig{Leeway: -time.Second})
	require.Error(t, err)
	_, err = workosauth.NewVerifier("client_1", workosauth.VerifierConfig{})
	require.NoError(t, err)
}

func TestTokenErrorText(t *testing.T) {
	err := &workosauth.TokenError{Kind: workosauth.ErrKeySetUnavailable, Reason: "cold", Err: errors.New("dial")}
	require.Equal(t, "workosauth: WorkOS key set unavailable: cold: dial", err.Error())
	require.ErrorIs(t, err, workosauth.ErrKeySetUnavailable)
}

func vtServeJSON(t testing.TB, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func vtModulus(k *rsa.PrivateKey) string {
	return base64.RawURLEncoding.EncodeToString(k.N.Bytes())
}

// BenchmarkVerify measures RS256-2048 verifications with a warm key cache,
// for one token and for 1,000 distinct tokens. Run with -cpu=1 for the
// per-core figure.
func BenchmarkVerify(b *testing.B) {
	j := newVTJWKS(b)
	v := j.verifier(b, newVTClock(), workosauth.VerifierConfig{})
	ctx := context.Background()
	tokens := make([]string, 1000)
	for i := range tokens {
		c := vtClaims()
		c["jti"] = fmt.Sprintf("jti_%04d", i)
		c["sub"] = fmt.Sprintf("user_%04d", i)
		tokens[i] = vtSign(b, vtRSAKeys()[0], "key_1", c)
	}
	run := func(b *testing.B, tokens []string) {
		if _, err := v.Verify(ctx, tokens[0]); err != nil { // warm the cache
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := v.Verify(ctx, tokens[i%len(tokens)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
	}
	b.Run("warm-1-token", func(b *testing.B) { run(b, tokens[:1]) })
	b.Run("warm-1000-tokens", func(b *testing.B) { run(b, tokens) })
	if n := j.calls.Load(); n != 1 {
		b.Fatalf("%d JWKS fetches, want 1", n)
	}
}
