package workosauth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// TerminalConfig configures [Client.SignInFromTerminal].
type TerminalConfig struct {
	// Auth selects how the user signs in (AuthKit by default). Its
	// RedirectURI is ignored: the callback listener's URL is used.
	Auth AuthURLParams
	// ListenAddr is the callback listener's address (default
	// "127.0.0.1:0", a random port). It must be a loopback address. WorkOS
	// only redirects to registered URIs: register
	// http://127.0.0.1:<port>/callback, with a fixed port here if your
	// WorkOS settings need one.
	ListenAddr string
	// CallbackPath is the callback's path (default "/callback").
	CallbackPath string
	// Out receives the instructions and the URL to open (default
	// os.Stderr). Nothing secret is written to it.
	Out io.Writer
	// OpenBrowser opens the URL (default: the system's opener, xdg-open,
	// open or rundll32; failures are ignored, the URL is printed anyway).
	OpenBrowser func(ctx context.Context, url string) error
	// NoBrowser only prints the URL.
	NoBrowser bool
}

// SignInFromTerminal signs a user in from a command-line program: it starts
// a callback listener on 127.0.0.1, prints (and where possible opens) the
// WorkOS authorization URL, waits for the redirect, checks its state,
// exchanges the code with PKCE, answers the browser, and shuts the listener
// down. ctx bounds the whole flow: if the callback never comes, the
// context's error is returned.
//
// A callback with the wrong state ends the sign-in with [ErrStateMismatch];
// one carrying an error with a [*CallbackError].
func (c *Client) SignInFromTerminal(ctx context.Context, cfg TerminalConfig) (*Session, error) {
	addr := cfg.ListenAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("workosauth: SignInFromTerminal: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("workosauth: SignInFromTerminal: listen address %q is not a loopback IP", addr)
	}
	path := cfg.CallbackPath
	if path == "" {
		path = "/callback"
	}
	out := cfg.Out
	if out == nil {
		out = os.Stderr
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("workosauth: SignInFromTerminal: %w", err)
	}
	params := cfg.Auth
	params.RedirectURI = "http://" + ln.Addr().String() + path
	req, err := c.AuthorizationURL(params)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}

	type result struct {
		s   *Session
		err error
	}
	results := make(chan result, 1)
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		handled := false
		once.Do(func() {
			handled = true
			s, err := c.CompleteSignIn(ctx, req, r.URL.Query())
			writeCallbackPage(w, err)
			results <- result{s, err}
		})
		if !handled {
			writeCallbackPage(w, errors.New("this sign-in has already been handled"))
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
	}()

	fmt.Fprintf(out, "To sign in, open this URL in a browser:\n\n  %s\n\nWaiting for the sign-in to finish...\n", req.URL)
	if !cfg.NoBrowser {
		open := cfg.OpenBrowser
		if open == nil {
			open = openBrowser
		}
		go func() { _ = open(ctx, req.URL) }()
	}

	select {
	case r := <-results:
		return r.s, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func writeCallbackPage(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	msg := "Signed in. You can close this window and return to the terminal."
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
		msg = "Sign-in failed: " + err.Error()
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>Sign-in</title><p>%s</p>\n", html.EscapeString(msg))
}

// openBrowser opens url with the system's opener.
func openBrowser(ctx context.Context, url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", url)
	case "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
