// Command server is a Go service that accepts the same WorkOS access tokens
// as a Mastra server, serves a small API for the signed-in user and calls a
// Mastra agent on their behalf with the caller's own token.
//
//	go run ./examples/server
//
// Routes:
//
//	GET  /health    public: {"ok":true}
//	GET  /api/me    the resolved user, with the field names of Mastra's
//	                WorkOS user object (id, workosId, email, name,
//	                organizationId, memberships, ...)
//	POST /api/ask   {"prompt":"...","agent":"weatherAgent"} → the agent's
//	                answer {"agent":"...","text":"..."}
//
// Environment: ADDR (default 127.0.0.1:8080); WORKOS_CLIENT_ID and
// WORKOS_API_KEY (WorkOS credentials), WORKOS_API_URL (optional, another
// WorkOS endpoint); MASTRA_BASE_URL (the Mastra server to call).
//
// Without WorkOS settings it starts an in-process fake WorkOS with a demo
// user, and without MASTRA_BASE_URL an in-process fake Mastra server that
// checks tokens with the same verifier. It then prints a ready-to-use demo
// access token and curl commands on stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. ready, if set, receives the listening
// address (tests use it).
func run(ctx context.Context, getenv func(string) string, stderr io.Writer, ready func(addr string)) error {
	a, err := newApp(getenv, stderr)
	if err != nil {
		return err
	}
	defer a.close()

	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stderr, "listening on %s\n", base)
	if a.demoToken != "" {
		fmt.Fprintf(stderr, "demo access token (valid for an hour):\n\n  export TOKEN=%s\n\ntry:\n"+
			"  curl -H \"Authorization: Bearer $TOKEN\" %s/api/me\n"+
			"  curl -H \"Authorization: Bearer $TOKEN\" -d '{\"prompt\":\"What is the weather in Paris?\"}' %s/api/ask\n",
			a.demoToken, base, base)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app holds what the handlers need.
type app struct {
	auth      *workosauth.Authenticator
	mastraURL string
	http      *http.Client // shared by the per-request Mastra clients
	demoToken string       // set when running on the in-process fake WorkOS
	closers   []func()
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// newApp wires the Authenticator and the Mastra server from the
// environment, starting in-process fakes for what is not configured.
func newApp(getenv func(string) string, stderr io.Writer) (_ *app, err error) {
	a := &app{http: &http.Client{}}
	defer func() {
		if err != nil {
			a.close()
		}
	}()

	cfg := workosauth.AuthenticatorConfig{
		ClientID:         getenv("WORKOS_CLIENT_ID"),
		APIKey:           getenv("WORKOS_API_KEY"),
		Endpoint:         getenv("WORKOS_API_URL"),
		FetchMemberships: true,
		PublicPaths:      []string{"/health"},
		Logger:           slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if cfg.ClientID == "" && cfg.APIKey == "" {
		fake := workostest.New()
		a.closers = append(a.closers, fake.Close)
		ada := fake.AddUser(workostest.User{
			ID: "user_01DEMOADA", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", EmailVerified: true,
		})
		if _, err := fake.AddMembership(workostest.Membership{UserID: ada.ID, OrganizationID: "org_01DEMO", OrganizationName: "Demo Org", Role: "admin"}); err != nil {
			return nil, err
		}
		a.demoToken, err = fake.AccessToken(workostest.Claims{Subject: ada.ID, OrganizationID: "org_01DEMO", ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			return nil, err
		}
		cfg.ClientID, cfg.APIKey, cfg.Endpoint = fake.ClientID, fake.APIKey, fake.URL
		fmt.Fprintf(stderr, "WORKOS_CLIENT_ID and WORKOS_API_KEY are not set: using the in-process fake WorkOS at %s\n", fake.URL)
	}
	if a.auth, err = workosauth.NewAuthenticator(cfg); err != nil {
		return nil, err
	}

	a.mastraURL = getenv("MASTRA_BASE_URL")
	if a.mastraURL == "" {
		// The demo Mastra server accepts exactly the tokens this service does.
		verifier := a.auth.Verifier()
		srv := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, token string) error {
			_, err := verifier.Verify(ctx, token)
			return err
		}))
		a.closers = append(a.closers, srv.Close)
		a.mastraURL = srv.URL
		fmt.Fprintf(stderr, "MASTRA_BASE_URL is not set: using the in-process demo Mastra server at %s\n", srv.URL)
	}
	return a, nil
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /api/me", a.me)
	mux.HandleFunc("POST /api/ask", a.ask)
	return a.auth.Middleware(mux)
}

func (a *app) me(w http.ResponseWriter, r *http.Request) {
	u, _ := workosauth.UserFromContext(r.Context())
	writeJSON(w, http.StatusOK, u)
}

type askRequest struct {
	Prompt string `json:"prompt"`
	Agent  string `json:"agent,omitzero"`
}

type askResponse struct {
	Agent string `json:"agent"`
	Text  string `json:"text"`
}

func (a *app) ask(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.Prompt == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want a JSON body {"prompt":"..."}`})
		return
	}
	if req.Agent == "" {
		req.Agent = "weatherAgent"
	}
	// Call Mastra as the caller, with their own token: the middleware has
	// already checked it, and Mastra checks it again.
	mc, err := client.New(a.mastraURL, client.WithHTTPClient(a.http), client.WithToken(bearer(r)))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Mastra client: " + err.Error()})
		return
	}
	res, err := mc.Agents.Generate(r.Context(), req.Agent, agents.GenerateParams{Messages: agents.Text(req.Prompt)})
	if err != nil {
		status := http.StatusBadGateway
		if mastra.IsNotFound(err) {
			status = http.StatusNotFound
		}
		writeJSON(w, status, map[string]string{"error": "agent: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, askResponse{Agent: req.Agent, Text: res.Text})
}

// bearer returns the token of the request's Authorization header (which the
// middleware has verified).
func bearer(r *http.Request) string {
	_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.TrimSpace(token)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
