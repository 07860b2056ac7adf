package workosauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/workos_errors"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// ctClock is a settable clock shared by the fake and the client.
type ctClock struct {
	mu sync.Mutex
	t  time.Time
}

func newCTClock() *ctClock { return &ctClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)} }

func (c *ctClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *ctClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ctEnv is a fake WorkOS, a Client pointed at it and a user with two
// organizations (org_A, the first, and org_B).
type ctEnv struct {
	fake  *workostest.Server
	wc    *workosauth.Client
	user  workostest.User
	clock *ctClock
}

func newCTEnv(t testing.TB) *ctEnv {
	t.Helper()
	clk := newCTClock()
	f := workostest.New(workostest.WithClock(clk.Now))
	t.Cleanup(f.Close)
	u := f.AddUser(workostest.User{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", EmailVerified: true})
	for _, org := range []string{"org_A", "org_B"} {
		if _, err := f.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: org, Role: "member"}); err != nil {
			t.Fatal(err)
		}
	}
	wc, err := workosauth.NewClient(f.ClientID, workosauth.ClientConfig{APIKey: f.APIKey, Endpoint: f.URL, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &ctEnv{fake: f, wc: wc, user: u, clock: clk}
}

// signIn gets a code from the fake and exchanges it.
func (e *ctEnv) signIn(t testing.TB, opts workostest.CodeOptions) *workosauth.Session {
	t.Helper()
	if opts.OrganizationID == "" {
		opts.OrganizationID = "org_A"
	}
	code, err := e.fake.NewCode(e.user.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.wc.ExchangeCode(context.Background(), code, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ctNoSecrets fails if text contains any of the secrets.
func ctNoSecrets(t testing.TB, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("text %q contains a secret", text)
		}
	}
}

func TestExchangeCodeSession(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	if s.AccessToken == "" || s.RefreshToken == "" {
		t.Fatal("missing tokens")
	}
	if s.User.ID != e.user.ID || s.User.Email != "ada@example.com" || s.User.FirstName != "Ada" {
		t.Errorf("user = %+v", s.User)
	}
	if s.OrganizationID != "org_A" || !strings.HasPrefix(s.SessionID, "session_") || s.AuthenticationMethod != "GoogleOAuth" || s.Impersonator != nil {
		t.Errorf("session = %v", s)
	}
	wantExp := e.clock.Now().Add(5 * time.Minute)
	if !s.Expiry.Equal(wantExp) || !s.IssuedAt.Equal(e.clock.Now()) {
		t.Errorf("expiry %v issued %v, want exp %v", s.Expiry, s.IssuedAt, wantExp)
	}
	tok := s.Token()
	if tok.AccessToken != s.AccessToken || tok.TokenType != "Bearer" || tok.RefreshToken != s.RefreshToken || !tok.Expiry.Equal(wantExp) {
		t.Errorf("token = %+v", tok)
	}
	if tok.Extra("organization_id") != "org_A" || tok.Extra("user_id") != e.user.ID || tok.Extra("session_id") != s.SessionID {
		t.Error("token extras missing")
	}
	// Printing a session prints no token.
	for _, text := range []string{s.String(), strings.Join([]string{s.GoString()}, "")} {
		ctNoSecrets(t, text, s.AccessToken, s.RefreshToken)
	}
}

func TestExchangeCodeImpersonation(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{Impersonator: &workostest.Impersonator{Email: "admin@example.com", Reason: "support"}})
	if s.Impersonator == nil || s.Impersonator.Email != "admin@example.com" || s.Impersonator.Reason != "support" || s.AuthenticationMethod != "Impersonation" {
		t.Fatalf("impersonation = %+v, %q", s.Impersonator, s.AuthenticationMethod)
	}
}

func TestExchangeCodeErrors(t *testing.T) {
	e := newCTEnv(t)
	ctx := context.Background()

	t.Run("used code", func(t *testing.T) {
		code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
		if _, err := e.wc.ExchangeCode(ctx, code, "verifier-secret-value"); err != nil {
			t.Fatal(err)
		}
		_, err := e.wc.ExchangeCode(ctx, code, "verifier-secret-value")
		var ae *workosauth.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != workosauth.CodeInvalidGrant || ae.RequestID == "" {
			t.Fatalf("err = %v", err)
		}
		if !errors.Is(err, workosauth.ErrSignInRequired) || ae.Temporary() {
			t.Error("invalid_grant is terminal")
		}
		if !strings.Contains(err.Error(), ae.RequestID) || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("text = %q", err.Error())
		}
		ctNoSecrets(t, err.Error(), code, "verifier-secret-value", e.fake.APIKey)
		// workos-go's error stays reachable.
		var he workos_errors.HTTPError
		if !errors.As(err, &he) || he.ErrorCode != "invalid_grant" {
			t.Error("workos-go error not reachable")
		}
	})
	t.Run("expired code", func(t *testing.T) {
		code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
		e.clock.Add(11 * time.Minute)
		_, err := e.wc.ExchangeCode(ctx, code, "")
		var ae *workosauth.APIError
		if !errors.As(err, &ae) || ae.Code != workosauth.CodeInvalidGrant {
			t.Fatalf("err = %v", err)
		}
		ctNoSecrets(t, err.Error(), code)
	})
	interactive := []struct {
		code     string
		status   int
		terminal bool
		check    func(t *testing.T, err error, ae *workosauth.APIError)
	}{
		{workosauth.CodeSSORequired, 403, true, func(t *testing.T, err error, ae *workosauth.APIError) {
			var sso *workos_errors.SSORequiredError
			if !errors.As(err, &sso) || len(ae.ConnectionIDs) == 0 || ae.Email == "" {
				t.Errorf("sso details: %+v", ae)
			}
		}},
		{workosauth.CodeMFAEnrollment, 403, true, func(t *testing.T, err error, ae *workosauth.APIError) {
			if ae.User == nil || ae.User.Email == "" {
				t.Errorf("mfa user: %+v", ae.User)
			}
		}},
		{workosauth.CodeOrganizationSelectionRequired, 403, false, func(t *testing.T, err error, ae *workosauth.APIError) {
			var osr *workos_errors.OrganizationSelectionRequiredError
			if !errors.As(err, &osr) || len(ae.Organizations) == 0 || ae.User == nil {
				t.Errorf("organization selection details: %+v", ae)
			}
		}},
		{workosauth.CodeEmailVerificationRequired, 403, false, nil},
		{workosauth.CodeMFAChallenge, 403, false, nil},
		{workosauth.CodeOrganizationAuthMethodsReq, 403, false, nil},
	}
	for _, tc := range interactive {
		t.Run(tc.code, func(t *testing.T) {
			u := e.fake.AddUser(workostest.User{Email: tc.code + "@example.com", AuthError: tc.code})
			code, _ := e.fake.NewCode(u.ID, workostest.CodeOptions{})
			_, err := e.wc.ExchangeCode(ctx, code, "")
			var ae *workosauth.APIError
			if !errors.As(err, &ae) || ae.Code != tc.code || ae.StatusCode != tc.status || ae.RequestID == "" {
				t.Fatalf("err = %#v", err)
			}
			if got := errors.Is(err, workosauth.ErrSignInRequired); got != tc.terminal {
				t.Errorf("ErrSignInRequired = %v", got)
			}
			if ae.PendingAuthenticationToken == "" {
				t.Error("no pending authentication token")
			}
			ctNoSecrets(t, err.Error(), code, ae.PendingAuthenticationToken, e.fake.APIKey)
			if tc.check != nil {
				tc.check(t, err, ae)
			}
		})
	}
	t.Run("server error", func(t *testing.T) {
		e.fake.InjectFault(workostest.Fault{Path: "/user_management/authenticate", Status: 502, Times: 1})
		code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
		_, err := e.wc.ExchangeCode(ctx, code, "")
		var ae *workosauth.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 502 || !ae.Temporary() || errors.Is(err, workosauth.ErrSignInRequired) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("network", func(t *testing.T) {
		e.fake.InjectFault(workostest.Fault{Path: "/user_management/authenticate", CloseConnection: true, Times: 1})
		code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
		_, err := e.wc.ExchangeCode(ctx, code, "")
		var ae *workosauth.APIError
		if err == nil || errors.As(err, &ae) {
			t.Fatalf("err = %v", err)
		}
		ctNoSecrets(t, err.Error(), code, e.fake.APIKey)
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.wc.ExchangeCode(cctx, "whatever", ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty code", func(t *testing.T) {
		if _, err := e.wc.ExchangeCode(ctx, "", ""); !errors.Is(err, workosauth.ErrMissingCode) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong API key", func(t *testing.T) {
		wc, _ := workosauth.NewClient(e.fake.ClientID, workosauth.ClientConfig{APIKey: "sk_wrong_secret_key", Endpoint: e.fake.URL})
		code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
		_, err := wc.ExchangeCode(ctx, code, "")
		var ae *workosauth.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || errors.Is(err, workosauth.ErrSignInRequired) {
			t.Fatalf("err = %v", err)
		}
		ctNoSecrets(t, err.Error(), "sk_wrong_secret_key", code)
	})
}

func TestExchangeRetryAfterReported(t *testing.T) {
	e := newCTEnv(t)
	e.fake.InjectFault(workostest.Fault{Path: "/user_management/authenticate", Status: 429, RetryAfter: "7", Times: 1})
	code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
	_, err := e.wc.ExchangeCode(context.Background(), code, "")
	var ae *workosauth.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.RetryAfter != 7*time.Second || ae.Code != workosauth.CodeTooManyRequests {
		t.Fatalf("err = %#v", err)
	}
}

func TestNewClientValidates(t *testing.T) {
	if _, err := workosauth.NewClient("", workosauth.ClientConfig{}); err == nil {
		t.Error("empty client id accepted")
	}
	for _, ep := range []string{"ftp://x", "not a url", "/relative", "https://user:pw@example.com", "https://example.com?x=1"} {
		if _, err := workosauth.NewClient("client_1", workosauth.ClientConfig{Endpoint: ep}); err == nil {
			t.Errorf("endpoint %q accepted", ep)
		}
	}
	wc, err := workosauth.NewClient("client_1", workosauth.ClientConfig{Endpoint: "https://auth.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if wc.UserManagement().Endpoint != "https://auth.example.com" || wc.ClientID() != "client_1" {
		t.Errorf("endpoint = %q", wc.UserManagement().Endpoint)
	}
	um, err := workosauth.NewUserManagementClient("sk", "", &http.Client{})
	if err != nil || um.Endpoint != workosauth.DefaultEndpoint || um.APIKey != "sk" {
		t.Errorf("default endpoint: %v %v", um, err)
	}
}
