package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/workosauth"
)

// config is what the app needs; main fills it from the environment.
type config struct {
	APIKey, ClientID, WorkOSURL string
	// RedirectURI is the registered callback; empty means
	// http://<request host>/callback (fine for local development).
	RedirectURI   string
	MastraBaseURL string
	Agent         string
}

// app keeps pending sign-ins and signed-in sessions in memory, server-side.
// The browser only holds random ids in HttpOnly cookies.
type app struct {
	ctx context.Context // long-lived: token sources refresh with it
	cfg config
	wc  *workosauth.Client

	mu       sync.Mutex
	pending  map[string]pendingLogin // login cookie -> sign-in in progress
	sessions map[string]*userSession // session cookie -> signed-in user
}

type pendingLogin struct {
	req     *workosauth.AuthRequest
	expires time.Time
}

type userSession struct {
	ts *workosauth.TokenSource
	mc *client.MastraClient
}

const (
	loginCookie   = "exchange_login"
	sessionCookie = "exchange_session"
	loginTTL      = 10 * time.Minute
)

func newApp(ctx context.Context, cfg config) (*app, error) {
	if cfg.Agent == "" {
		cfg.Agent = "weatherAgent"
	}
	wc, err := workosauth.NewClient(cfg.ClientID, workosauth.ClientConfig{APIKey: cfg.APIKey, Endpoint: cfg.WorkOSURL})
	if err != nil {
		return nil, err
	}
	return &app{ctx: ctx, cfg: cfg, wc: wc, pending: map[string]pendingLogin{}, sessions: map[string]*userSession{}}, nil
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("POST /ask", a.ask)
	mux.HandleFunc("POST /logout", a.logout)
	return mux
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>Mastra + WorkOS</title>
{{if .Email}}<p>Signed in as {{.Email}}{{if .Org}} ({{.Org}}){{end}}.</p>
<form method="post" action="/ask"><input name="q" value="{{.Question}}" size="40"> <button>Ask the agent</button></form>
{{if .Answer}}<p class="answer">{{.Answer}}</p>{{end}}
<form method="post" action="/logout"><button>Sign out</button></form>
{{else}}<p><a href="/login">Sign in with WorkOS</a></p>{{end}}
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
`))

type pageData struct {
	Email, Org, Question, Answer, Error string
}

func (a *app) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := page.Execute(w, d); err != nil {
		log.Printf("render: %v", err)
	}
}

func (a *app) current(r *http.Request) *userSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[c.Value]
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	d := pageData{Question: "What is the weather in Paris?"}
	if us := a.current(r); us != nil {
		s := us.ts.Session()
		d.Email, d.Org = s.User.Email, s.OrganizationID
	}
	a.render(w, http.StatusOK, d)
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	redirect := a.cfg.RedirectURI
	if redirect == "" {
		redirect = "http://" + r.Host + "/callback"
	}
	req, err := a.wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: redirect})
	if err != nil {
		a.render(w, http.StatusInternalServerError, pageData{Error: err.Error()})
		return
	}
	id := randomID()
	now := time.Now()
	a.mu.Lock()
	for k, p := range a.pending { // drop abandoned sign-ins
		if now.After(p.expires) {
			delete(a.pending, k)
		}
	}
	a.pending[id] = pendingLogin{req: req, expires: now.Add(loginTTL)}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: id, Path: "/callback", MaxAge: int(loginTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, req.URL, http.StatusFound)
}

func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	var p pendingLogin
	ok := false
	if err == nil {
		a.mu.Lock()
		p, ok = a.pending[c.Value]
		delete(a.pending, c.Value) // one callback per sign-in
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/callback", MaxAge: -1})
	if !ok || time.Now().After(p.expires) {
		a.render(w, http.StatusBadRequest, pageData{Error: "No sign-in in progress in this browser: start again."})
		return
	}
	sess, err := a.wc.CompleteSignIn(r.Context(), p.req, r.URL.Query())
	if err != nil {
		status := http.StatusBadGateway
		var ce *workosauth.CallbackError
		if errors.Is(err, workosauth.ErrStateMismatch) || errors.Is(err, workosauth.ErrMissingCode) || errors.As(err, &ce) {
			status = http.StatusBadRequest
		}
		a.render(w, status, pageData{Error: "Sign-in failed: " + err.Error()})
		return
	}
	// The token source lives as long as the app, not the request.
	ts, err := a.wc.NewTokenSource(a.ctx, sess, workosauth.TokenSourceConfig{})
	if err != nil {
		a.render(w, http.StatusInternalServerError, pageData{Error: err.Error()})
		return
	}
	mc, err := client.New(a.cfg.MastraBaseURL, client.WithTokenSource(ts))
	if err != nil {
		a.render(w, http.StatusInternalServerError, pageData{Error: err.Error()})
		return
	}
	id := randomID()
	a.mu.Lock()
	a.sessions[id] = &userSession{ts: ts, mc: mc}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusFound)
}

func (a *app) ask(w http.ResponseWriter, r *http.Request) {
	us := a.current(r)
	if us == nil {
		a.render(w, http.StatusUnauthorized, pageData{Error: "Sign in first."})
		return
	}
	s := us.ts.Session()
	q := strings.TrimSpace(r.FormValue("q"))
	d := pageData{Email: s.User.Email, Org: s.OrganizationID, Question: q}
	if q == "" {
		d.Error = "Ask something."
		a.render(w, http.StatusBadRequest, d)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	res, err := us.mc.Agents.Generate(ctx, a.cfg.Agent, agents.GenerateParams{Messages: agents.Text(q)})
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, workosauth.ErrSignInRequired) {
			status, d.Error = http.StatusUnauthorized, "Your WorkOS session has ended: sign in again."
		} else {
			d.Error = "The agent failed: " + err.Error()
		}
		a.render(w, status, d)
		return
	}
	d.Answer = res.Text
	a.render(w, http.StatusOK, d)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusFound)
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
