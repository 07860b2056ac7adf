package workosauth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastra-community/mastra-go/workosauth"
)

// ctBrowser plays the user's browser: it follows the authorization URL (the
// fake redirects to the callback) and records what it saw.
type ctBrowser struct {
	mu       sync.Mutex
	url      string
	page     string
	status   int
	tamper   func(u *url.URL) // changes the callback URL before visiting it
	visitErr error
	done     chan struct{} // closed when open returns, if not nil
}

func (b *ctBrowser) open(ctx context.Context, authURL string) error {
	if b.done != nil {
		defer close(b.done)
	}
	b.mu.Lock()
	b.url = authURL
	b.mu.Unlock()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		return err
	}
	res.Body.Close()
	cb, _ := url.Parse(res.Header.Get("Location"))
	if b.tamper != nil {
		b.tamper(cb)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cb.String(), nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		b.mu.Lock()
		b.visitErr = err
		b.mu.Unlock()
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	b.mu.Lock()
	b.page, b.status = string(body), res.StatusCode
	b.mu.Unlock()
	return nil
}

// callbackAddr returns the host:port of the redirect_uri in the URL opened.
func (b *ctBrowser) callbackAddr(t *testing.T) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	u, err := url.Parse(b.url)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	return cb.Host
}

func ctListenerClosed(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("callback listener %s still open", addr)
	}
}

func TestSignInFromTerminal(t *testing.T) {
	e := newCTEnv(t)
	var out bytes.Buffer
	br := &ctBrowser{done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := e.wc.SignInFromTerminal(ctx, workosauth.TerminalConfig{Out: &out, OpenBrowser: br.open})
	if err != nil {
		t.Fatal(err)
	}
	if s.User.ID != e.user.ID || s.AccessToken == "" {
		t.Fatalf("session = %v", s)
	}
	if !strings.Contains(out.String(), br.url) {
		t.Error("URL not printed")
	}
	ctNoSecrets(t, out.String(), s.AccessToken, s.RefreshToken, e.fake.APIKey)
	addr := br.callbackAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("callback on %s", addr)
	}
	// The browser got its page before the listener closed.
	<-br.done
	br.mu.Lock()
	if br.status != http.StatusOK || !strings.Contains(br.page, "Signed in") {
		t.Errorf("browser page %d %q", br.status, br.page)
	}
	br.mu.Unlock()
	ctListenerClosed(t, addr)
}

func TestSignInFromTerminalStateMismatch(t *testing.T) {
	e := newCTEnv(t)
	br := &ctBrowser{tamper: func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := e.wc.SignInFromTerminal(ctx, workosauth.TerminalConfig{Out: io.Discard, OpenBrowser: br.open})
	if !errors.Is(err, workosauth.ErrStateMismatch) {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.CountCalls(ctAuthPath, ""); n != 0 {
		t.Errorf("%d exchanges despite the mismatch", n)
	}
	ctListenerClosed(t, br.callbackAddr(t))
}

func TestSignInFromTerminalCallbackError(t *testing.T) {
	e := newCTEnv(t)
	e.fake.SetAuthorizeError("access_denied", "The user cancelled.")
	br := &ctBrowser{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := e.wc.SignInFromTerminal(ctx, workosauth.TerminalConfig{Out: io.Discard, OpenBrowser: br.open})
	var ce *workosauth.CallbackError
	if !errors.As(err, &ce) || ce.Code != "access_denied" {
		t.Fatalf("err = %v", err)
	}
}

func TestSignInFromTerminalCallbackNeverComes(t *testing.T) {
	e := newCTEnv(t)
	var opened sync.WaitGroup
	opened.Add(1)
	var authURL string
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.wc.SignInFromTerminal(ctx, workosauth.TerminalConfig{
		Out: io.Discard,
		OpenBrowser: func(_ context.Context, u string) error {
			authURL = u
			opened.Done()
			return nil // the user never signs in
		},
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	opened.Wait()
	br := &ctBrowser{url: authURL}
	ctListenerClosed(t, br.callbackAddr(t))
}

func TestSignInFromTerminalRefusesNonLoopback(t *testing.T) {
	e := newCTEnv(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "example.com:80", "nonsense"} {
		if _, err := e.wc.SignInFromTerminal(context.Background(), workosauth.TerminalConfig{ListenAddr: addr, NoBrowser: true, Out: io.Discard}); err == nil {
			t.Errorf("listen address %q accepted", addr)
		}
	}
}
