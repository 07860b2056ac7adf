package workosauth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// vtFake is a fake WorkOS with a user Ada (one membership in org_A) on a
// test clock.
type vtFake struct {
	*workostest.Server
	clock *vtClock
	ada   workostest.User
}

func newVTFake(t testing.TB) *vtFake {
	clock := newVTClock()
	s := workostest.New(workostest.WithClock(clock.Now))
	t.Cleanup(s.Close)
	ada := s.AddUser(workostest.User{
		ID: "user_01ADA", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		EmailVerified: true, ProfilePictureURL: "https://example.com/ada.png",
	})
	_, err := s.AddMembership(workostest.Membership{ID: "om_01ADA_A", UserID: ada.ID, OrganizationID: "org_A", Role: "admin"})
	require.NoError(t, err)
	return &vtFake{Server: s, clock: clock, ada: ada}
}

// authenticator returns an Authenticator for the fake, with cfg's options.
func (f *vtFake) authenticator(t testing.TB, cfg workosauth.AuthenticatorConfig) *workosauth.Authenticator {
	t.Helper()
	cfg.ClientID = f.ClientID
	if cfg.APIKey == "" {
		cfg.APIKey = f.APIKey
	}
	cfg.Endpoint = f.URL
	cfg.Now = f.clock.Now
	a, err := workosauth.NewAuthenticator(cfg)
	require.NoError(t, err)
	return a
}

func (f *vtFake) token(t testing.TB, c workostest.Claims) string {
	t.Helper()
	tok, err := f.AccessToken(c)
	require.NoError(t, err)
	return tok
}

// calls counts requests whose path starts with prefix.
func (f *vtFake) calls(prefix string) int {
	n := 0
	for _, c := range f.Calls() {
		if strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

const (
	vtUsersPath       = "/user_management/users/"
	vtMembershipsPath = "/user_management/organization_memberships"
)

func TestAuthenticateReadsUserFromWorkOS(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{})
	tok := f.token(t, workostest.Claims{Subject: f.ada.ID, OrganizationID: "org_A", SessionID: "session_1"})

	u, err := a.Authenticate(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, "user_01ADA", u.ID)
	require.Equal(t, "user_01ADA", u.WorkOSID)
	require.Equal(t, "ada@example.com", u.Email)
	require.Equal(t, "Ada Lovelace", u.Name)
	require.Equal(t, "https://example.com/ada.png", u.AvatarURL)
	require.Equal(t, true, u.Metadata["emailVerified"])
	require.Equal(t, "user_01ADA", u.Metadata["workosId"])
	require.NotEmpty(t, u.Metadata["createdAt"])
	// Untrusted: the token's org_id is not used, and no memberships were fetched.
	require.Empty(t, u.OrganizationID)
	require.Empty(t, u.Memberships)
	require.Equal(t, "org_A", u.Claims["org_id"])
	require.Equal(t, "session_1", u.Claims["sid"])

	// JSON has the TypeScript user's field names plus the raw claims.
	b, err := json.Marshal(u)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"id", "workosId", "email", "name", "avatarUrl", "metadata", "sub", "sid", "org_id", "exp"} {
		require.Contains(t, m, k)
	}
	require.NotContains(t, m, "organizationId")
	var back workosauth.User
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, u.ID, back.ID)
	require.Equal(t, "session_1", back.Claims["sid"])
	require.NotContains(t, back.Claims, "id")
}

func TestAuthenticateNameFallbacks(t *testing.T) {
	f := newVTFake(t)
	f.AddUser(workostest.User{ID: "user_first", Email: "f@example.com", FirstName: "Grace"})
	f.AddUser(workostest.User{ID: "user_none", Email: "n@example.com"})
	a := f.authenticator(t, workosauth.AuthenticatorConfig{})
	for id, want := range map[string]string{"user_first": "Grace", "user_none": "n@example.com"} {
		u, err := a.Authenticate(context.Background(), f.token(t, workostest.Claims{Subject: id}))
		require.NoError(t, err)
		require.Equal(t, want, u.Name)
	}
}

func TestAuthenticateFetchMemberships(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{FetchMemberships: true})
	ctx := context.Background()

	u, err := a.Authenticate(ctx, f.token(t, workostest.Claims{Subject: f.ada.ID, OrganizationID: "org_A"}))
	require.NoError(t, err)
	require.Equal(t, "org_A", u.OrganizationID, "one membership gives the organization")
	require.Len(t, u.Memberships, 1)
	require.Equal(t, workosauth.Membership{ID: "om_01ADA_A", UserID: f.ada.ID, OrganizationID: "org_A",
		Role: workosauth.MembershipRole{Slug: "admin"}, Status: "active",
		CreatedAt: u.Memberships[0].CreatedAt, UpdatedAt: u.Memberships[0].UpdatedAt}, u.Memberships[0])

	// Many memberships: all pages are read, and no single organization is chosen.
	bob := f.AddUser(workostest.User{ID: "user_01BOB", Email: "bob@example.com"})
	for i := range 150 {
		_, err := f.AddMembership(workostest.Membership{UserID: bob.ID, OrganizationID: fmt.Sprintf("org_%03d", i)})
		require.NoError(t, err)
	}
	u, err = a.Authenticate(ctx, f.token(t, workostest.Claims{Subject: bob.ID, OrganizationID: "org_007"}))
	require.NoError(t, err)
	require.Len(t, u.Memberships, 150)
	require.Empty(t, u.OrganizationID, "organization claims are not trusted")

	// A failing memberships call does not fail authentication.
	carl := f.AddUser(workostest.User{ID: "user_01CARL", Email: "carl@example.com"})
	f.InjectFault(workostest.Fault{Path: vtMembershipsPath, Status: http.StatusInternalServerError})
	u, err = a.Authenticate(ctx, f.token(t, workostest.Claims{Subject: carl.ID}))
	require.NoError(t, err)
	require.Equal(t, "carl@example.com", u.Email)
	require.Nil(t, u.Memberships)
}

func TestAuthenticateCachesWorkOSCalls(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{FetchMemberships: true})
	tok := f.token(t, workostest.Claims{Subject: f.ada.ID})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := a.Authenticate(context.Background(), tok)
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, 1, f.calls(vtUsersPath))
	require.Equal(t, 1, f.calls(vtMembershipsPath))

	f.clock.Add(61 * time.Second)
	tok = f.token(t, workostest.Claims{Subject: f.ada.ID})
	_, err := a.Authenticate(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, 2, f.calls(vtUsersPath), "entries expire after 60 s")
	require.Equal(t, 2, f.calls(vtMembershipsPath))

	// Caching off: one call per request, as in MastraAuthWorkos.
	a = f.authenticator(t, workosauth.AuthenticatorConfig{CacheTTL: -1})
	for range 3 {
		_, err := a.Authenticate(context.Background(), tok)
		require.NoError(t, err)
	}
	require.Equal(t, 5, f.calls(vtUsersPath))
}

func TestAuthenticateUnknownUser(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{})
	tok := f.token(t, workostest.Claims{Subject: "user_01GHOST"})
	u, err := a.Authenticate(context.Background(), tok)
	require.Nil(t, u)
	require.Error(t, err)
	vtRequireNoTokenIn(t, err.Error(), tok)
}

func TestAuthenticateTrustJWTClaims(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{TrustJWTClaims: true})
	tok := f.token(t, workostest.Claims{Subject: f.ada.ID, OrganizationID: "org_A", Extra: map[string]any{
		"email": "ada@example.com", "urn:mastra:team_id": "team_1", "metadata": map[string]any{"plan": "pro"},
	}})
	u, err := a.Authenticate(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, "user_01ADA", u.ID)
	require.Equal(t, "user_01ADA", u.WorkOSID)
	require.Equal(t, "ada@example.com", u.Email)
	require.Equal(t, "ada@example.com", u.Name, "name falls back to email")
	require.Equal(t, "org_A", u.OrganizationID, "trusted organization claim")
	require.Equal(t, map[string]any{"plan": "pro", "workosId": "user_01ADA", "organizationId": "org_A"}, u.Metadata)
	require.Equal(t, "team_1", u.Claims["urn:mastra:team_id"])
	require.Zero(t, f.calls("/user_management/"), "no WorkOS call")
}

func TestAuthenticateServiceToken(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{
		TrustJWTClaims:   true,
		FetchMemberships: true,
		JWTClaims: workosauth.ClaimPaths{
			UserID:                   "urn:mastra:user_id",
			OrganizationMembershipID: "urn:mastra:organization_membership_id",
		},
		MapClaims: func(t *workosauth.VerifiedToken, u *workosauth.User) {
			if team, ok := t.Claim("urn:mastra:team.name"); ok {
				u.Name = "service for " + team
			}
		},
	})
	tok := f.token(t, workostest.Claims{Subject: "client_01SERVICE", OrganizationID: "org_A", Extra: map[string]any{
		"urn:mastra:user_id":                    "svc_reporting",
		"urn:mastra:organization_membership_id": "om_01SVC",
		"urn:mastra:team":                       map[string]any{"name": "reports"},
	}})
	u, err := a.Authenticate(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, "svc_reporting", u.ID)
	require.Equal(t, "svc_reporting", u.WorkOSID)
	require.Equal(t, "org_A", u.OrganizationID)
	require.Equal(t, "om_01SVC", u.OrganizationMembershipID)
	require.Equal(t, "service for reports", u.Name)
	require.Zero(t, f.calls("/user_management/"), "a membership id in the token means no memberships call")

	// Without trust, the same token fails: its subject is no WorkOS user.
	b := f.authenticator(t, workosauth.AuthenticatorConfig{})
	_, err = b.Authenticate(context.Background(), tok)
	require.Error(t, err)
}

func TestAuthenticateTrustedWithoutMembershipClaim(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{TrustJWTClaims: true, FetchMemberships: true})
	u, err := a.Authenticate(context.Background(), f.token(t, workostest.Claims{Subject: f.ada.ID}))
	require.NoError(t, err)
	require.Len(t, u.Memberships, 1)
	require.Equal(t, "org_A", u.OrganizationID, "from the single membership")
	require.Zero(t, f.calls(vtUsersPath))
}

func TestNewAuthenticatorValidates(t *testing.T) {
	_, err := workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{ClientID: "client_1"})
	require.Error(t, err, "API key needed to read users")
	_, err = workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{ClientID: "client_1", TrustJWTClaims: true})
	require.NoError(t, err)
	_, err = workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{ClientID: "client_1", TrustJWTClaims: true, FetchMemberships: true})
	require.Error(t, err)
	_, err = workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{APIKey: "sk"})
	require.Error(t, err, "client id needed")
	_, err = workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{ClientID: "c", APIKey: "sk", PublicPaths: []string{"health"}})
	require.Error(t, err)
}

func TestAuthenticatorKeyRotationWhileRequestsFlow(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{TrustJWTClaims: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Tokens signed by the key WorkOS currently signs with, refreshed at
	// each rotation; requests pick from it while keys rotate.
	var current atomic.Pointer[[]string]
	mint := func() {
		toks := make([]string, 4)
		for i := range toks {
			toks[i] = f.token(t, workostest.Claims{Subject: f.ada.ID})
		}
		current.Store(&toks)
	}
	mint()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	var verified atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				toks := *current.Load()
				tok := toks[i%len(toks)]
				_, err := a.Authenticate(context.Background(), tok)
				verified.Add(1)
				// A failure counts if the token's key is still published
				// (a key retired mid-flight may fairly be refused).
				if err != nil && vtPublished(f.Server, tok) {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
				}
				time.Sleep(200 * time.Microsecond) // leave CPU for key generation
			}
		})
	}
	for i := range 3 {
		time.Sleep(20 * time.Millisecond) // let requests flow
		f.clock.Add(workosauth.DefaultKeyRefetchCooldown)
		if i%2 == 1 {
			f.RetireOldKeys()
		}
		f.RotateKey()
		mint()
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	wg.Wait()
	require.Empty(t, failures)
	require.Greater(t, verified.Load(), int64(20))
	t.Logf("%d verifications, %d JWKS fetches", verified.Load(), f.calls("/sso/jwks/"))
}

// vtPublished reports whether the key that signed tok is in f's JWKS.
func vtPublished(f *workostest.Server, tok string) bool {
	var h struct{ Kid string }
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	_ = json.Unmarshal(b, &h)
	for _, k := range f.JWKS().Keys {
		if k.KeyID == h.Kid {
			return true
		}
	}
	return false
}

// BenchmarkWorkOSCallsPer10000Requests counts WorkOS calls for 10,000
// requests from 100 users arriving over 100 s of simulated time: user and
// membership API calls (api-calls) and key set fetches (jwks-calls) from a
// cold start. Run with -benchtime=1x.
func BenchmarkWorkOSCallsPer10000Requests(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  workosauth.AuthenticatorConfig
	}{
		{"TrustJWTClaims", workosauth.AuthenticatorConfig{TrustJWTClaims: true}},
		{"TrustJWTClaims+FetchMemberships", workosauth.AuthenticatorConfig{TrustJWTClaims: true, FetchMemberships: true}},
		{"FetchMemberships", workosauth.AuthenticatorConfig{FetchMemberships: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newVTFake(b)
			tokens := make([]string, 100)
			for i := range tokens {
				u := f.AddUser(workostest.User{ID: fmt.Sprintf("user_%03d", i), Email: fmt.Sprintf("u%d@example.com", i)})
				_, err := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: "org_A"})
				require.NoError(b, err)
				tokens[i] = f.token(b, workostest.Claims{Subject: u.ID, ExpiresAt: f.clock.Now().Add(time.Hour)})
			}
			ctx := context.Background()
			var calls int
			for b.Loop() {
				f.ResetCalls()
				a := f.authenticator(b, bc.cfg)
				for i := range 10_000 {
					f.clock.Add(10 * time.Millisecond)
					if _, err := a.Authenticate(ctx, tokens[i%len(tokens)]); err != nil {
						b.Fatal(err)
					}
				}
				calls = len(f.Calls())
			}
			jwks := f.calls("/sso/jwks/")
			b.ReportMetric(float64(calls-jwks), "api-calls/10k-requests")
			b.ReportMetric(float64(jwks), "jwks-calls/10k-requests")
		})
	}
}
