package workosauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/mastra-community/mastra-go/workosauth"
)

// ctAuthorize follows an authorization URL at the fake like a browser would
// and returns the callback query WorkOS redirected to.
func ctAuthorize(t testing.TB, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

func TestAuthorizationURL(t *testing.T) {
	e := newCTEnv(t)
	req, err := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(req.URL)
	q := u.Query()
	if u.Path != "/user_management/authorize" || q.Get("provider") != "authkit" || q.Get("client_id") != e.fake.ClientID ||
		q.Get("redirect_uri") != "http://127.0.0.1:9/cb" || q.Get("response_type") != "code" || q.Get("state") != req.State {
		t.Errorf("URL = %s", req.URL)
	}
	sum := sha256.Sum256([]byte(req.CodeVerifier))
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Error("PKCE challenge does not match the verifier")
	}
	if n := len(req.CodeVerifier); n < 43 || n > 128 {
		t.Errorf("verifier length %d", n)
	}
	if len(req.State) < 32 {
		t.Errorf("state too short: %d", len(req.State))
	}
	again, _ := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
	if again.State == req.State || again.CodeVerifier == req.CodeVerifier {
		t.Error("state or verifier reused")
	}
	ctNoSecrets(t, req.String(), req.State, req.CodeVerifier)
	ctNoSecrets(t, fmt.Sprintf("%v %+v %#v", req, req, req), req.State, req.CodeVerifier)

	org, _ := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://x/cb", OrganizationID: "org_A", DisablePKCE: true})
	ou, _ := url.Parse(org.URL)
	if ou.Query().Get("organization_id") != "org_A" || ou.Query().Get("provider") != "" || ou.Query().Get("code_challenge") != "" || org.CodeVerifier != "" {
		t.Errorf("organization URL = %s", org.URL)
	}
	conn, _ := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://x/cb", ConnectionID: "conn_1", LoginHint: "a@b.c"})
	cu, _ := url.Parse(conn.URL)
	if cu.Query().Get("connection_id") != "conn_1" || cu.Query().Get("login_hint") != "a@b.c" {
		t.Errorf("connection URL = %s", conn.URL)
	}
	if _, err := e.wc.AuthorizationURL(workosauth.AuthURLParams{}); err == nil {
		t.Error("missing redirect accepted")
	}
	if _, err := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://x/cb", Provider: "GoogleOAuth", OrganizationID: "org_A"}); err == nil {
		t.Error("two selectors accepted")
	}
	if _, err := e.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://x/cb", Provider: "GoogleOAuth", ScreenHint: "sign-up"}); err == nil {
		t.Error("screen hint without authkit accepted")
	}
}

func TestCompleteSignIn(t *testing.T) {
	e := newCTEnv(t)
	ctx := context.Background()
	// A public client: PKCE only, no API key.
	public, err := workosauth.NewClient(e.fake.ClientID, workosauth.ClientConfig{Endpoint: e.fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb", OrganizationID: "org_B"})
	q := ctAuthorize(t, req.URL)
	s, err := public.CompleteSignIn(ctx, req, q)
	if err != nil {
		t.Fatal(err)
	}
	if s.User.ID != e.user.ID || s.OrganizationID != "org_B" {
		t.Errorf("session = %v", s)
	}

	t.Run("state mismatch", func(t *testing.T) {
		req, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
		q := ctAuthorize(t, req.URL)
		q.Set("state", "forged")
		if _, err := public.CompleteSignIn(ctx, req, q); !errors.Is(err, workosauth.ErrStateMismatch) {
			t.Fatalf("err = %v", err)
		}
		q.Del("state")
		if _, err := public.CompleteSignIn(ctx, req, q); !errors.Is(err, workosauth.ErrStateMismatch) {
			t.Fatalf("no state: err = %v", err)
		}
	})
	t.Run("PKCE mismatch", func(t *testing.T) {
		req1, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
		req2, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
		q := ctAuthorize(t, req1.URL)
		// The code of sign-in 1 with the verifier of sign-in 2.
		_, err := public.ExchangeCode(ctx, q.Get("code"), req2.CodeVerifier)
		var ae *workosauth.APIError
		if !errors.As(err, &ae) || ae.Code != workosauth.CodeInvalidGrant {
			t.Fatalf("err = %v", err)
		}
		ctNoSecrets(t, err.Error(), q.Get("code"), req2.CodeVerifier)
	})
	t.Run("callback error", func(t *testing.T) {
		e.fake.SetAuthorizeError("access_denied", "The user cancelled.")
		defer e.fake.SetAuthorizeError("", "")
		req, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
		_, err := public.CompleteSignIn(ctx, req, ctAuthorize(t, req.URL))
		var ce *workosauth.CallbackError
		if !errors.As(err, &ce) || ce.Code != "access_denied" || ce.Description != "The user cancelled." {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing code", func(t *testing.T) {
		req, _ := public.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:9/cb"})
		if _, err := public.CompleteSignIn(ctx, req, url.Values{"state": {req.State}}); !errors.Is(err, workosauth.ErrMissingCode) {
			t.Fatalf("err = %v", err)
		}
	})
}
