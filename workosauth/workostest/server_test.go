package workostest_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"github.com/workos/workos-go/v4/pkg/workos_errors"

	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// newFake starts a fake with a fixed clock and one user with two
// memberships, and a workos-go client pointed at it.
func newFake(t *testing.T, opts ...workostest.Option) (*workostest.Server, *usermanagement.Client, workostest.User, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	f := workostest.New(append([]workostest.Option{workostest.WithClock(clk.Now)}, opts...)...)
	t.Cleanup(f.Close)
	u := f.AddUser(workostest.User{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", EmailVerified: true})
	c := usermanagement.NewClient(f.APIKey)
	c.Endpoint = f.URL
	c.HTTPClient = f.Client()
	return f, c, u, clk
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type testClaims struct {
	jwt.Claims
	SessionID   string            `json:"sid"`
	OrgID       string            `json:"org_id"`
	Role        string            `json:"role"`
	Roles       []string          `json:"roles"`
	Permissions []string          `json:"permissions"`
	Act         map[string]string `json:"act"`
	Team        string            `json:"urn:myapp:team"`
}

// verify checks a token against the fake's published JWKS (fetched over
// HTTP, as a verifier would) and returns its claims.
func verify(t *testing.T, f *workostest.Server, token string) (testClaims, error) {
	t.Helper()
	res, err := f.Client().Get(f.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return testClaims{}, err
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) == 0 {
		return testClaims{}, errors.New("unknown kid")
	}
	var c testClaims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		return testClaims{}, err
	}
	return c, nil
}

func TestCodeExchangeWithWorkOSGo(t *testing.T) {
	f, c, u, clk := newFake(t)
	if _, err := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: "org_A", Role: "admin", Permissions: []string{"widgets:read"}}); err != nil {
		t.Fatal(err)
	}
	code, err := f.NewCode(u.ID, workostest.CodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if resp.User.ID != u.ID || resp.User.Email != "ada@example.com" || resp.User.FirstName != "Ada" || !resp.User.EmailVerified {
		t.Errorf("user = %+v", resp.User)
	}
	if resp.OrganizationID != "org_A" {
		t.Errorf("organization = %q, want the single membership's", resp.OrganizationID)
	}
	if resp.AuthenticationMethod != usermanagement.GoogleOAuth || resp.Impersonator != nil {
		t.Errorf("method = %q, impersonator = %v", resp.AuthenticationMethod, resp.Impersonator)
	}
	if resp.RefreshToken == "" {
		t.Error("no refresh token")
	}
	claims, err := verify(t, f, resp.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != u.ID || claims.OrgID != "org_A" || claims.Role != "admin" ||
		len(claims.Permissions) != 1 || claims.Permissions[0] != "widgets:read" ||
		!strings.HasPrefix(claims.SessionID, "session_") || claims.ID == "" || claims.Issuer != f.Issuer() {
		t.Errorf("claims = %+v", claims)
	}
	if got := claims.Expiry.Time().Sub(claims.IssuedAt.Time()); got != 5*time.Minute {
		t.Errorf("lifetime = %v", got)
	}
	if !claims.IssuedAt.Time().Equal(clk.Now()) {
		t.Errorf("iat = %v, want the injected clock %v", claims.IssuedAt.Time(), clk.Now())
	}

	// Codes are single-use.
	_, err = c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	var he workos_errors.HTTPError
	if !errors.As(err, &he) || he.Code != 400 || he.ErrorCode != "invalid_grant" || he.RequestID == "" {
		t.Fatalf("reused code: err = %#v", err)
	}
	if !strings.Contains(he.Message, "has expired or is invalid") {
		t.Errorf("message = %q", he.Message)
	}

	// Codes expire.
	code2, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	clk.Add(11 * time.Minute)
	_, err = c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code2})
	if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" {
		t.Fatalf("expired code: err = %v", err)
	}
}

func TestPKCE(t *testing.T) {
	f, _, u, _ := newFake(t)
	verifier := "a-very-long-code-verifier-of-at-least-43-characters-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	public := usermanagement.NewClient("") // a public client: no secret
	public.Endpoint = f.URL
	ctx := context.Background()

	code, _ := f.NewCode(u.ID, workostest.CodeOptions{CodeChallenge: challenge, CodeChallengeMethod: "S256"})
	_, err := public.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code, CodeVerifier: "wrong"})
	var he workos_errors.HTTPError
	if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" {
		t.Fatalf("wrong verifier: err = %v", err)
	}
	code, _ = f.NewCode(u.ID, workostest.CodeOptions{CodeChallenge: challenge, CodeChallengeMethod: "S256"})
	if _, err := public.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code, CodeVerifier: verifier}); err != nil {
		t.Fatalf("right verifier: %v", err)
	}
	// Without PKCE a secret is needed.
	code, _ = f.NewCode(u.ID, workostest.CodeOptions{})
	_, err = public.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if !errors.As(err, &he) || he.Code != 401 {
		t.Fatalf("no secret, no PKCE: err = %v", err)
	}
	// A wrong secret is refused.
	bad := usermanagement.NewClient("sk_wrong")
	bad.Endpoint = f.URL
	_, err = bad.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if !errors.As(err, &he) || he.Code != 401 || he.ErrorCode != "invalid_client" {
		t.Fatalf("wrong secret: err = %v", err)
	}
}

func TestRefreshRotatesAndSwitchesOrganization(t *testing.T) {
	f, c, u, _ := newFake(t)
	for _, org := range []string{"org_A", "org_B"} {
		if _, err := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: org}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	code, err := f.NewCode(u.ID, workostest.CodeOptions{OrganizationID: "org_A"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := verify(t, f, first.AccessToken)

	second, err := c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{
		ClientID: f.ClientID, RefreshToken: first.RefreshToken, OrganizationID: "org_B"})
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatal("refresh token did not rotate")
	}
	c2, _ := verify(t, f, second.AccessToken)
	if c2.OrgID != "org_B" || c2.SessionID != c1.SessionID {
		t.Errorf("after switch: org %q sid %q (first sid %q)", c2.OrgID, c2.SessionID, c1.SessionID)
	}

	// The old refresh token is spent.
	_, err = c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: first.RefreshToken})
	var he workos_errors.HTTPError
	if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" || !strings.Contains(he.Message, "already exchanged") {
		t.Fatalf("reused refresh token: err = %v", err)
	}

	// Without organization_id the session snaps back to its original org,
	// as WorkOS does: clients must send the current one.
	third, err := c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: second.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	c3, _ := verify(t, f, third.AccessToken)
	if c3.OrgID != "org_A" {
		t.Errorf("refresh without organization_id: org %q", c3.OrgID)
	}

	// An organization the user is not in is refused; the token survives.
	_, err = c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: third.RefreshToken, OrganizationID: "org_Z"})
	if err == nil {
		t.Fatal("switch to a foreign org succeeded")
	}
	fourth, err := c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: third.RefreshToken})
	if err != nil {
		t.Fatalf("refresh token lost after a refused switch: %v", err)
	}

	// Revoking the session ends its refresh tokens.
	if err := c.RevokeSession(ctx, usermanagement.RevokeSessionOpts{SessionID: c1.SessionID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: fourth.RefreshToken})
	if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh after revoke: err = %v", err)
	}
	if n := f.CountCalls("/user_management/authenticate", "refresh_token"); n != 6 {
		t.Errorf("refresh calls = %d, want 6", n)
	}
}

func TestAuthenticationErrorsAsWorkOSGoSeesThem(t *testing.T) {
	f, c, _, _ := newFake(t)
	ctx := context.Background()
	exchange := func(authErr string) error {
		u := f.AddUser(workostest.User{Email: authErr + "@example.com", AuthError: authErr})
		code, err := f.NewCode(u.ID, workostest.CodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
		return err
	}
	var sso *workos_errors.SSORequiredError
	if err := exchange("sso_required"); !errors.As(err, &sso) || sso.RequestID == "" || len(sso.ConnectionIDs) == 0 {
		t.Errorf("sso_required: %#v", err)
	}
	var mfa *workos_errors.MFAEnrollmentError
	if err := exchange("mfa_enrollment"); !errors.As(err, &mfa) || mfa.User.ID == "" {
		t.Errorf("mfa_enrollment: %#v", err)
	}
	var mfac *workos_errors.MFAChallengeError
	if err := exchange("mfa_challenge"); !errors.As(err, &mfac) {
		t.Errorf("mfa_challenge: %#v", err)
	}
	var osr *workos_errors.OrganizationSelectionRequiredError
	if err := exchange("organization_selection_required"); !errors.As(err, &osr) || len(osr.Organizations) == 0 {
		t.Errorf("organization_selection_required: %#v", err)
	}
	var ev *workos_errors.EmailVerificationRequiredError
	if err := exchange("email_verification_required"); !errors.As(err, &ev) {
		t.Errorf("email_verification_required: %#v", err)
	}
	var oam *workos_errors.OrganizationAuthenticationMethodsRequiredError
	if err := exchange("organization_authentication_methods_required"); !errors.As(err, &oam) {
		t.Errorf("organization_authentication_methods_required: %#v", err)
	}
}

func TestImpersonation(t *testing.T) {
	f, c, u, _ := newFake(t)
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{Impersonator: &workostest.Impersonator{Email: "admin@example.com", Reason: "support"}})
	resp, err := c.AuthenticateWithCode(context.Background(), usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Impersonator == nil || resp.Impersonator.Email != "admin@example.com" || resp.AuthenticationMethod != usermanagement.Impersonation {
		t.Fatalf("impersonator = %+v, method %q", resp.Impersonator, resp.AuthenticationMethod)
	}
	claims, _ := verify(t, f, resp.AccessToken)
	if claims.Act["sub"] != "admin@example.com" {
		t.Errorf("act = %v", claims.Act)
	}
}

func TestUsersAndMemberships(t *testing.T) {
	f, c, u, clk := newFake(t)
	ctx := context.Background()
	got, err := c.GetUser(ctx, usermanagement.GetUserOpts{User: u.ID})
	if err != nil || got.ID != u.ID || got.LastName != "Lovelace" {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	_, err = c.GetUser(ctx, usermanagement.GetUserOpts{User: "user_missing"})
	var he workos_errors.HTTPError
	if !errors.As(err, &he) || he.Code != 404 || he.ErrorCode != "entity_not_found" || he.Message != "User not found 'user_missing'" {
		t.Fatalf("missing user: %#v", err)
	}
	bad := usermanagement.NewClient("sk_wrong")
	bad.Endpoint = f.URL
	_, err = bad.GetUser(ctx, usermanagement.GetUserOpts{User: u.ID})
	if !errors.As(err, &he) || he.Code != 401 || he.Message != "Unauthorized" {
		t.Fatalf("bad key: %#v", err)
	}

	var ids []string
	for i := range 25 {
		clk.Add(time.Second)
		m, err := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: "org_" + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	inactive, _ := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: "org_inactive", Status: "inactive"})

	// Default: active only, newest first, 10 per page; follow After.
	var seen []string
	opts := usermanagement.ListOrganizationMembershipsOpts{UserID: u.ID}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page, err := c.ListOrganizationMemberships(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Data {
			seen = append(seen, m.ID)
			if m.Status != usermanagement.Active || m.UserID != u.ID || m.Role.Slug != "member" {
				t.Errorf("membership %+v", m)
			}
		}
		if page.ListMetadata.After == "" {
			break
		}
		opts.After = page.ListMetadata.After
	}
	if len(seen) != 25 || seen[0] != ids[24] || seen[24] != ids[0] {
		t.Fatalf("seen %d memberships, first %q last %q", len(seen), seen[0], seen[len(seen)-1])
	}
	// Statuses given: the inactive one appears; ascending order; limit.
	page, err := c.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{
		UserID: u.ID, Statuses: []usermanagement.OrganizationMembershipStatus{usermanagement.Inactive}, Order: usermanagement.Asc, Limit: 100})
	if err != nil || len(page.Data) != 1 || page.Data[0].ID != inactive.ID {
		t.Fatalf("inactive listing = %+v, %v", page, err)
	}
	page, err = c.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{OrganizationID: "org_c"})
	if err != nil || len(page.Data) != 1 || page.Data[0].ID != ids[2] {
		t.Fatalf("by organization = %+v, %v", page, err)
	}
	// Before pages backwards.
	page, err = c.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{UserID: u.ID, Order: usermanagement.Asc, Limit: 5, Before: ids[10]})
	if err != nil || len(page.Data) != 5 || page.Data[0].ID != ids[5] || page.Data[4].ID != ids[9] {
		t.Fatalf("before page = %+v, %v", page, err)
	}
	_, err = c.ListOrganizationMemberships(ctx, usermanagement.ListOrganizationMembershipsOpts{})
	if !errors.As(err, &he) || he.Code != 422 {
		t.Fatalf("no filter: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	f, _, u, _ := newFake(t)
	old, err := f.AccessToken(workostest.Claims{Subject: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	oldKid := f.SigningKeyID()
	newKid := f.RotateKey()
	if newKid == oldKid || f.SigningKeyID() != newKid {
		t.Fatal("rotation did not change the signing key")
	}
	if n := len(f.JWKS().Keys); n != 2 {
		t.Fatalf("JWKS has %d keys, want 2", n)
	}
	if _, err := verify(t, f, old); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	fresh, _ := f.AccessToken(workostest.Claims{Subject: u.ID})
	f.RetireOldKeys()
	if keys := f.JWKS().Keys; len(keys) != 1 || keys[0].KeyID != newKid || keys[0].Algorithm != "RS256" || keys[0].Use != "sig" {
		t.Fatalf("JWKS after retire = %+v", keys)
	}
	if _, err := verify(t, f, old); err == nil {
		t.Fatal("token of a retired key still verifies")
	}
	if _, err := verify(t, f, fresh); err != nil {
		t.Fatal(err)
	}
	// A retired key can still sign, for tests of unknown kids.
	if _, err := f.AccessToken(workostest.Claims{Subject: u.ID, KeyID: oldKid}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AccessToken(workostest.Claims{Subject: u.ID, KeyID: "nope"}); err == nil {
		t.Fatal("unknown KeyID accepted")
	}
	res, err := f.Client().Get(f.URL + "/sso/jwks/other_client")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("JWKS of another client: %d", res.StatusCode)
	}
}

func TestAccessTokenClaims(t *testing.T) {
	f, _, u, clk := newFake(t)
	exp := clk.Now().Add(-time.Minute)
	tok, err := f.AccessToken(workostest.Claims{
		Subject: u.ID, OrganizationID: "org_X", Role: "owner", Permissions: []string{"a", "b"},
		ExpiresAt: exp, Impersonator: "root@example.com", Extra: map[string]any{"urn:myapp:team": "blue"},
	})
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if h := parsed.Headers[0]; h.Algorithm != "RS256" || h.KeyID != f.SigningKeyID() || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header = %+v", h)
	}
	c, err := verify(t, f, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.OrgID != "org_X" || c.Role != "owner" || len(c.Permissions) != 2 || c.Act["sub"] != "root@example.com" ||
		c.Team != "blue" || !c.Expiry.Time().Equal(exp) {
		t.Errorf("claims = %+v", c)
	}
	if _, err := f.AccessToken(workostest.Claims{}); err == nil {
		t.Error("token without subject")
	}
}

func TestFaults(t *testing.T) {
	f, c, u, _ := newFake(t)
	ctx := context.Background()
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	first, err := c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	f.InjectFault(workostest.Fault{Path: "/user_management/authenticate", GrantType: "refresh_token", Status: 429, RetryAfter: "2", Times: 1})
	f.InjectFault(workostest.Fault{Path: "/user_management/authenticate", Status: 503, Times: 1})

	refresh := func() error {
		_, err := c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: first.RefreshToken})
		return err
	}
	var he workos_errors.HTTPError
	if err := refresh(); !errors.As(err, &he) || he.Code != 429 || he.ErrorCode != "too_many_requests" {
		t.Fatalf("429: %#v", err)
	}
	if err := refresh(); !errors.As(err, &he) || he.Code != 503 {
		t.Fatalf("503: %#v", err)
	}
	// Faults do not consume the refresh token.
	if err := refresh(); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	calls := f.Calls()
	last := calls[len(calls)-3]
	if last.Status != 429 || !last.Fault || last.GrantType != "refresh_token" || last.RequestID == "" {
		t.Errorf("call = %+v", last)
	}

	// Retry-After header and content type on a raw request.
	f.InjectFault(workostest.Fault{Method: "GET", Path: "/user_management/users/", Status: 429, RetryAfter: "7", Times: 1})
	req, _ := http.NewRequest("GET", f.URL+"/user_management/users/"+url.PathEscape(u.ID), nil)
	req.Header.Set("Authorization", "Bearer "+f.APIKey)
	res, err := f.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "7" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("X-Request-ID") == "" {
		t.Errorf("fault answer: %d %v", res.StatusCode, res.Header)
	}

	// A code-named fault sends the real body.
	f.InjectFault(workostest.Fault{Path: "/user_management/authenticate", Code: "invalid_grant", Times: 1})
	if err := refresh(); !errors.As(err, &he) || he.ErrorCode != "invalid_grant" || he.Code != 400 {
		t.Fatalf("invalid_grant fault: %#v", err)
	}

	// Slow answers: a client timeout fires.
	f.InjectFault(workostest.Fault{Path: "/user_management/users/", Delay: time.Second, Times: 1})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.GetUser(short, usermanagement.GetUserOpts{User: u.ID}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow answer: %v", err)
	}
	// Dropped connection: a network error.
	f.InjectFault(workostest.Fault{Path: "/user_management/users/", CloseConnection: true, Times: 1})
	if _, err := c.GetUser(ctx, usermanagement.GetUserOpts{User: u.ID}); err == nil || errors.As(err, &he) {
		t.Fatalf("dropped connection: %v", err)
	}
	f.ClearFaults()
	if _, err := c.GetUser(ctx, usermanagement.GetUserOpts{User: u.ID}); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizeRedirect(t *testing.T) {
	f, c, u, _ := newFake(t)
	other := f.AddUser(workostest.User{Email: "bob@example.com"})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(opts usermanagement.GetAuthorizationURLOpts) *url.URL {
		t.Helper()
		opts.ClientID = f.ClientID
		opts.RedirectURI = "http://127.0.0.1:9/callback"
		au, err := c.GetAuthorizationURL(opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := noRedirect.Get(au.String())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound {
			t.Fatalf("authorize: %d", res.StatusCode)
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		return loc
	}
	loc := authorize(usermanagement.GetAuthorizationURLOpts{Provider: "authkit", State: "st8"})
	if loc.Host != "127.0.0.1:9" || loc.Path != "/callback" || loc.Query().Get("state") != "st8" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect = %v", loc)
	}
	resp, err := c.AuthenticateWithCode(context.Background(), usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: loc.Query().Get("code")})
	if err != nil || resp.User.ID != u.ID {
		t.Fatalf("exchange = %+v, %v", resp.User, err)
	}
	loc = authorize(usermanagement.GetAuthorizationURLOpts{Provider: "authkit", LoginHint: "bob@example.com"})
	resp, err = c.AuthenticateWithCode(context.Background(), usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: loc.Query().Get("code")})
	if err != nil || resp.User.ID != other.ID {
		t.Fatalf("login_hint exchange = %+v, %v", resp.User, err)
	}
	f.SetAuthorizeError("access_denied", "The user cancelled.")
	loc = authorize(usermanagement.GetAuthorizationURLOpts{Provider: "authkit", State: "s"})
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" || loc.Query().Get("state") != "s" {
		t.Fatalf("error redirect = %v", loc)
	}
}

func TestLogout(t *testing.T) {
	f, c, u, _ := newFake(t)
	ctx := context.Background()
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	resp, err := c.AuthenticateWithCode(ctx, usermanagement.AuthenticateWithCodeOpts{ClientID: f.ClientID, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := verify(t, f, resp.AccessToken)
	lu, err := c.GetLogoutURL(usermanagement.GetLogoutURLOpts{SessionID: claims.SessionID, ReturnTo: "http://127.0.0.1:9/bye"})
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(lu.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "http://127.0.0.1:9/bye" {
		t.Fatalf("logout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, err = c.AuthenticateWithRefreshToken(ctx, usermanagement.AuthenticateWithRefreshTokenOpts{ClientID: f.ClientID, RefreshToken: resp.RefreshToken})
	var he workos_errors.HTTPError
	if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh after logout: %v", err)
	}
}

func TestFormEncodedAuthenticate(t *testing.T) {
	f, _, u, _ := newFake(t)
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	res, err := f.Client().PostForm(f.URL+"/user_management/authenticate", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "client_secret": {f.APIKey}, "code": {code},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 200 || body["access_token"] == nil || body["refresh_token"] == nil {
		t.Fatalf("form exchange: %d %v", res.StatusCode, body)
	}
	if _, ok := body["expires_in"]; ok {
		t.Error("WorkOS sends no expires_in")
	}
}

// Every answer, errors and redirects included, is JSON with a request id.
func TestEveryAnswerHasJSONAndRequestID(t *testing.T) {
	f, _, u, _ := newFake(t)
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := f.URL + "/user_management/authorize?" + url.Values{
		"client_id": {f.ClientID}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "response_type": {"code"}, "provider": {"authkit"},
	}.Encode()
	reqs := []struct {
		method, path, body string
		auth               bool
		status             int
	}{
		{"GET", authorize[len(f.URL):], "", false, 302},
		{"GET", "/user_management/authorize?client_id=nope", "", false, 400},
		{"POST", "/user_management/authenticate", `{"grant_type":"authorization_code","client_id":"` + f.ClientID + `","client_secret":"` + f.APIKey + `","code":"` + code + `"}`, false, 200},
		{"POST", "/user_management/authenticate", `{"grant_type":"refresh_token","client_id":"` + f.ClientID + `","refresh_token":"nope"}`, false, 400},
		{"POST", "/user_management/authenticate", `{}`, false, 400},
		{"GET", "/user_management/users/" + u.ID, "", true, 200},
		{"GET", "/user_management/users/" + u.ID, "", false, 401},
		{"GET", "/user_management/organization_memberships?user_id=" + u.ID, "", true, 200},
		{"GET", "/sso/jwks/" + f.ClientID, "", false, 200},
		{"GET", "/user_management/sessions/logout?session_id=session_x&return_to=http://127.0.0.1:9/", "", false, 302},
		{"POST", "/user_management/sessions/revoke", `{"session_id":"session_x"}`, true, 404},
		{"GET", "/nowhere", "", false, 404},
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		req, _ := http.NewRequest(r.method, f.URL+r.path, strings.NewReader(r.body))
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.auth {
			req.Header.Set("Authorization", "Bearer "+f.APIKey)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		decErr := json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		id := res.Header.Get("X-Request-ID")
		if res.StatusCode != r.status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || decErr != nil ||
			!strings.HasPrefix(id, "req_") || seen[id] {
			t.Errorf("%s %s: %d %q id %q decode %v", r.method, r.path, res.StatusCode, res.Header.Get("Content-Type"), id, decErr)
		}
		seen[id] = true
	}
}
