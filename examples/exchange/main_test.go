package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func exchangeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// startApp runs the app on the in-process fakes and returns its URL and a
// browser with a cookie jar.
func startApp(t *testing.T, vars map[string]string) (string, *http.Client) {
	t.Helper()
	cfg, cleanup, err := configFromEnv(io.Discard, exchangeEnv(vars))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv.URL, &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestSignInAndAsk(t *testing.T) {
	base, browser := startApp(t, nil)
	if _, body := get(t, browser, base+"/"); !strings.Contains(body, `href="/login"`) {
		t.Fatalf("home before sign-in: %s", body)
	}
	// /login -> fake WorkOS -> /callback -> /
	status, body := get(t, browser, base+"/login")
	if status != http.StatusOK || !strings.Contains(body, "Signed in as demo@example.com") {
		t.Fatalf("after sign-in: %d %s", status, body)
	}
	status, body = post(t, browser, base+"/ask", url.Values{"q": {"What is the weather in Paris?"}})
	if status != http.StatusOK || !strings.Contains(body, "sunny") {
		t.Fatalf("ask: %d %s", status, body)
	}
	post(t, browser, base+"/logout", nil)
	if status, _ := post(t, browser, base+"/ask", url.Values{"q": {"hi"}}); status != http.StatusUnauthorized {
		t.Fatalf("ask after logout: %d", status)
	}
}

func TestCallbackChecks(t *testing.T) {
	base, browser := startApp(t, nil)
	// No sign-in in progress.
	if status, _ := get(t, browser, base+"/callback?code=x&state=y"); status != http.StatusBadRequest {
		t.Fatalf("callback without login: %d", status)
	}
	// A forged state: stop at the redirect to the callback and change it.
	noFollow := &http.Client{Jar: browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = noFollow.Get(res.Header.Get("Location")) // the fake WorkOS
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb, _ := url.Parse(res.Header.Get("Location"))
	q := cb.Query()
	q.Set("state", "forged")
	cb.RawQuery = q.Encode()
	status, body := get(t, browser, cb.String())
	if status != http.StatusBadRequest || !strings.Contains(body, "state mismatch") || strings.Contains(body, q.Get("code")) {
		t.Fatalf("forged state: %d %s", status, body)
	}
}

func TestConfigNeedsBothWorkOSSettings(t *testing.T) {
	if _, _, err := configFromEnv(io.Discard, exchangeEnv(map[string]string{"WORKOS_CLIENT_ID": "client_1"})); err == nil {
		t.Fatal("half the WorkOS settings accepted")
	}
}

// With WorkOS settings the app talks to that WorkOS (here a fake at
// WORKOS_API_URL) and does not start its own.
func TestConfiguredWorkOS(t *testing.T) {
	fake := workostest.New()
	defer fake.Close()
	fake.AddUser(workostest.User{Email: "ada@example.com"})
	base, browser := startApp(t, map[string]string{
		"WORKOS_API_KEY": fake.APIKey, "WORKOS_CLIENT_ID": fake.ClientID, "WORKOS_API_URL": fake.URL,
	})
	if _, body := get(t, browser, base+"/login"); !strings.Contains(body, "Signed in as ada@example.com") {
		t.Fatalf("after sign-in: %s", body)
	}
	if n := fake.CountCalls("/user_management/authenticate", "authorization_code"); n != 1 {
		t.Errorf("%d code exchanges at the configured WorkOS", n)
	}
}
