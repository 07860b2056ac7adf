package workosauth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// Exchange an authorization code for a session. The fake WorkOS stands in
// for api.workos.com; in production leave Endpoint empty.
func ExampleClient_ExchangeCode() {
	fake := workostest.New()
	defer fake.Close()
	user := fake.AddUser(workostest.User{Email: "ada@example.com", FirstName: "Ada"})
	if _, err := fake.AddMembership(workostest.Membership{UserID: user.ID, OrganizationID: "org_acme"}); err != nil {
		log.Fatal(err)
	}

	wc, err := workosauth.NewClient(fake.ClientID, workosauth.ClientConfig{APIKey: fake.APIKey, Endpoint: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	// A web app redirects the browser to req.URL and keeps req server-side.
	req, err := wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "http://127.0.0.1:8080/callback"})
	if err != nil {
		log.Fatal(err)
	}
	// WorkOS redirects back to the callback with ?code=...&state=...
	callback := ctVisit(req.URL)

	sess, err := wc.CompleteSignIn(context.Background(), req, callback.URL.Query())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sess.User.Email, sess.OrganizationID, sess.Token().TokenType)
	fmt.Println("lifetime:", sess.Expiry.Sub(sess.IssuedAt))

	// A used code is refused with a typed error.
	_, err = wc.CompleteSignIn(context.Background(), req, callback.URL.Query())
	var ae *workosauth.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Code)
	}
	// Output:
	// ada@example.com org_acme Bearer
	// lifetime: 5m0s
	// 400 invalid_grant
}

// Keep a session fresh with a TokenSource persisted to a file, and use it to
// call a Mastra agent.
func ExampleClient_NewTokenSource() {
	fake := workostest.New()
	defer fake.Close()
	user := fake.AddUser(workostest.User{Email: "ada@example.com"})
	code, _ := fake.NewCode(user.ID, workostest.CodeOptions{})

	wc, err := workosauth.NewClient(fake.ClientID, workosauth.ClientConfig{APIKey: fake.APIKey, Endpoint: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	sess, err := wc.ExchangeCode(context.Background(), code, "")
	if err != nil {
		log.Fatal(err)
	}

	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	store, err := workosauth.NewFileStore(filepath.Join(dir, "session.json"))
	if err != nil {
		log.Fatal(err)
	}
	// The context is long-lived: refreshes run with it.
	ts, err := wc.NewTokenSource(context.Background(), sess, workosauth.TokenSourceConfig{Store: store})
	if err != nil {
		log.Fatal(err)
	}

	// A Mastra server that checks WorkOS tokens (here the in-process fake).
	verifier, err := workosauth.NewVerifier(fake.ClientID, workosauth.VerifierConfig{Endpoint: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	mastra := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, token string) error {
		_, err := verifier.Verify(ctx, token)
		return err
	}))
	defer mastra.Close()

	mc, err := client.New(mastra.URL, client.WithTokenSource(ts))
	if err != nil {
		log.Fatal(err)
	}
	res, err := mc.Agents.Generate(context.Background(), "weatherAgent", agents.GenerateParams{Messages: agents.Text("Weather in Paris?")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Text != "")

	// Later runs start from the stored session.
	again, err := wc.NewTokenSource(context.Background(), nil, workosauth.TokenSourceConfig{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.Session().User.Email)
	// Output:
	// true
	// ada@example.com
}

// ctVisit follows an authorization URL like a browser and returns where
// WorkOS redirected to.
func ctVisit(authURL string) *http.Request {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	req, err := http.NewRequest(http.MethodGet, res.Header.Get("Location"), nil)
	if err != nil {
		log.Fatal(err)
	}
	return req
}

// A TokenSource caches its token, so it plugs straight into the root
// package's Transport for an http.Client of your own (no
// oauth2.ReuseTokenSource needed). The token goes to the Mastra origin only.
func ExampleTokenSource_transport() {
	fake := workostest.New()
	defer fake.Close()
	user := fake.AddUser(workostest.User{Email: "ada@example.com"})
	code, _ := fake.NewCode(user.ID, workostest.CodeOptions{})
	wc, _ := workosauth.NewClient(fake.ClientID, workosauth.ClientConfig{APIKey: fake.APIKey, Endpoint: fake.URL})
	sess, err := wc.ExchangeCode(context.Background(), code, "")
	if err != nil {
		log.Fatal(err)
	}
	ts, err := wc.NewTokenSource(context.Background(), sess, workosauth.TokenSourceConfig{})
	if err != nil {
		log.Fatal(err)
	}

	verifier, _ := workosauth.NewVerifier(fake.ClientID, workosauth.VerifierConfig{Endpoint: fake.URL})
	srv := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, token string) error {
		_, err := verifier.Verify(ctx, token)
		return err
	}))
	defer srv.Close()

	origin, _ := url.Parse(srv.URL)
	hc := &http.Client{Transport: &mastra.Transport{Source: ts, Origin: origin}}
	res, err := hc.Get(srv.URL + "/api/agents")
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)
	// Output: 200
}
