// Command exchange is a small web app that signs users in with WorkOS
// AuthKit and calls a Mastra agent on their behalf.
//
//	go run ./examples/exchange
//
// GET /login redirects to WorkOS (AuthKit) with a fresh state and PKCE
// challenge, kept server-side; GET /callback checks the state, exchanges
// the code, and keeps the session server-side (the browser gets only a
// random session cookie); POST /ask asks an agent with the signed-in user's
// WorkOS access token, refreshed as needed; POST /logout forgets the
// session.
//
// Environment: ADDR (default 127.0.0.1:8080); WORKOS_API_KEY,
// WORKOS_CLIENT_ID, WORKOS_API_URL (optional) and WORKOS_REDIRECT_URI
// (default http://<ADDR>/callback; register it with WorkOS); MASTRA_BASE_URL
// and AGENT (default weatherAgent). Without WorkOS settings it runs on an
// in-process fake WorkOS whose sign-in page signs in a demo user at once;
// without MASTRA_BASE_URL on an in-process Mastra server that verifies the
// WorkOS tokens. So it runs anywhere: open http://127.0.0.1:8080/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/mastra-community/mastra-go/mastratest"
	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := serve(ctx, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "exchange:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, logw io.Writer, getenv func(string) string) error {
	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	cfg, cleanup, err := configFromEnv(logw, getenv)
	if err != nil {
		return err
	}
	defer cleanup()
	a, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(logw, "Listening on http://%s/\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// configFromEnv reads the environment, starting in-process fakes for what is
// not configured.
func configFromEnv(logw io.Writer, getenv func(string) string) (config, func(), error) {
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	cfg := config{
		APIKey:        getenv("WORKOS_API_KEY"),
		ClientID:      getenv("WORKOS_CLIENT_ID"),
		WorkOSURL:     getenv("WORKOS_API_URL"),
		RedirectURI:   getenv("WORKOS_REDIRECT_URI"),
		MastraBaseURL: getenv("MASTRA_BASE_URL"),
		Agent:         getenv("AGENT"),
	}
	if (cfg.APIKey == "") != (cfg.ClientID == "") {
		return cfg, cleanup, errors.New("set both WORKOS_API_KEY and WORKOS_CLIENT_ID, or neither for the in-process demo")
	}
	if cfg.ClientID == "" {
		fake := workostest.New()
		closers = append(closers, fake.Close)
		u := fake.AddUser(workostest.User{Email: "demo@example.com", FirstName: "Demo", LastName: "User", EmailVerified: true})
		if _, err := fake.AddMembership(workostest.Membership{UserID: u.ID, OrganizationID: "org_demo"}); err != nil {
			cleanup()
			return cfg, func() {}, err
		}
		cfg.APIKey, cfg.ClientID, cfg.WorkOSURL = fake.APIKey, fake.ClientID, fake.URL
		fmt.Fprintf(logw, "No WorkOS settings: using an in-process fake WorkOS at %s (it signs in %s)\n", fake.URL, u.Email)
	}
	if cfg.MastraBaseURL == "" {
		v, err := workosauth.NewVerifier(cfg.ClientID, workosauth.VerifierConfig{Endpoint: cfg.WorkOSURL})
		if err != nil {
			cleanup()
			return cfg, func() {}, err
		}
		srv := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, token string) error {
			_, err := v.Verify(ctx, token)
			return err
		}))
		closers = append(closers, srv.Close)
		cfg.MastraBaseURL = srv.URL
		fmt.Fprintf(logw, "MASTRA_BASE_URL is not set: using an in-process Mastra server at %s that verifies WorkOS tokens\n", srv.URL)
	}
	return cfg, cleanup, nil
}
