package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// signIn decides how the example authenticates.
//
//   - With WORKOS_API_KEY and WORKOS_CLIENT_ID set it signs in against WorkOS
//     (WORKOS_API_URL optional): from the terminal (a browser opens, or the
//     URL printed on stderr is opened by hand; WORKOS_CALLBACK_ADDR, e.g.
//     127.0.0.1:8765, fixes the callback's port to match a registered
//     redirect URI), or by exchanging code when code != "". It returns the
//     token source to use (check == nil).
//   - With no WorkOS environment and demo == true (no MASTRA_BASE_URL: the
//     example runs on the in-process mastratest server) it runs the whole
//     flow in-process: it starts workostest, signs a demo user in through
//     the authorization URL and code exchange of the SDK, and returns the
//     token source plus check, which verifies tokens against the fake's
//     JWKS with the SDK's Verifier, for mastratest.WithTokenCheck.
//   - With no WorkOS environment and demo == false it returns
//     (nil, nil, cleanup, nil): MASTRA_TOKEN, read by main.go, is used
//     instead.
//
// ctx is the program's context: the token source refreshes with it. cleanup
// is never nil. Messages go to stderr only; no token is ever printed.
func signIn(ctx context.Context, stderr io.Writer, getenv func(string) string, demo bool, code string) (ts oauth2.TokenSource, check func(ctx context.Context, token string) error, cleanup func(), err error) {
	cleanup = func() {}
	apiKey, clientID := getenv("WORKOS_API_KEY"), getenv("WORKOS_CLIENT_ID")
	switch {
	case apiKey != "" && clientID != "":
		ts, err := signInWorkOS(ctx, stderr, getenv, apiKey, clientID, code)
		return ts, nil, cleanup, err
	case apiKey != "" || clientID != "":
		return nil, nil, cleanup, errors.New("set both WORKOS_API_KEY and WORKOS_CLIENT_ID to sign in with WorkOS")
	case code != "":
		return nil, nil, cleanup, errors.New("-code needs WORKOS_API_KEY and WORKOS_CLIENT_ID")
	case !demo:
		return nil, nil, cleanup, nil
	}
	return signInDemo(ctx, stderr)
}

// signInWorkOS signs in against a real WorkOS (or whatever WORKOS_API_URL
// points at).
func signInWorkOS(ctx context.Context, stderr io.Writer, getenv func(string) string, apiKey, clientID, code string) (oauth2.TokenSource, error) {
	wc, err := workosauth.NewClient(clientID, workosauth.ClientConfig{APIKey: apiKey, Endpoint: getenv("WORKOS_API_URL")})
	if err != nil {
		return nil, err
	}
	var sess *workosauth.Session
	if code != "" {
		sess, err = wc.ExchangeCode(ctx, code, "")
	} else {
		sess, err = wc.SignInFromTerminal(ctx, workosauth.TerminalConfig{Out: stderr, ListenAddr: getenv("WORKOS_CALLBACK_ADDR")})
	}
	if err != nil {
		return nil, fmt.Errorf("WorkOS sign-in: %w", err)
	}
	fmt.Fprintf(stderr, "Signed in to WorkOS as %s%s.\n", sess.User.Email, orgSuffix(sess))
	return wc.NewTokenSource(ctx, sess, workosauth.TokenSourceConfig{})
}

// signInDemo runs the whole sign-in in-process against a fake WorkOS.
func signInDemo(ctx context.Context, stderr io.Writer) (oauth2.TokenSource, func(context.Context, string) error, func(), error) {
	fake := workostest.New()
	user := fake.AddUser(workostest.User{Email: "demo@example.com", FirstName: "Demo", LastName: "User", EmailVerified: true})
	if _, err := fake.AddMembership(workostest.Membership{UserID: user.ID, OrganizationID: "org_demo", OrganizationName: "Demo Org"}); err != nil {
		fake.Close()
		return nil, nil, func() {}, err
	}
	fail := func(err error) (oauth2.TokenSource, func(context.Context, string) error, func(), error) {
		fake.Close()
		return nil, nil, func() {}, fmt.Errorf("demo sign-in: %w", err)
	}
	wc, err := workosauth.NewClient(fake.ClientID, workosauth.ClientConfig{APIKey: fake.APIKey, Endpoint: fake.URL})
	if err != nil {
		return fail(err)
	}
	// The same steps as a real sign-in: authorization URL (state, PKCE),
	// the user signs in at WorkOS, WorkOS redirects back with a code, the
	// code is exchanged.
	req, err := wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1/callback"})
	if err != nil {
		return fail(err)
	}
	callback, err := followAuthorize(ctx, req.URL)
	if err != nil {
		return fail(err)
	}
	sess, err := wc.CompleteSignIn(ctx, req, callback)
	if err != nil {
		return fail(err)
	}
	ts, err := wc.NewTokenSource(ctx, sess, workosauth.TokenSourceConfig{})
	if err != nil {
		return fail(err)
	}
	verifier, err := workosauth.NewVerifier(fake.ClientID, workosauth.VerifierConfig{Endpoint: fake.URL})
	if err != nil {
		return fail(err)
	}
	check := func(ctx context.Context, token string) error {
		_, err := verifier.Verify(ctx, token)
		return err
	}
	fmt.Fprintf(stderr, "No WorkOS settings: signed in as %s%s on an in-process fake WorkOS at %s.\n", sess.User.Email, orgSuffix(sess), fake.URL)
	return ts, check, fake.Close, nil
}

// followAuthorize plays the browser at the fake's authorization endpoint
// and returns the callback's query.
func followAuthorize(ctx context.Context, authURL string) (url.Values, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorization answered %s", res.Status)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	return loc.Query(), nil
}

func orgSuffix(s *workosauth.Session) string {
	if s.OrganizationID == "" {
		return ""
	}
	return " (organization " + s.OrganizationID + ")"
}
