package workosauth_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

const ctAuthPath = "/user_management/authenticate"

// ctFast is a TokenSourceConfig with short backoff for tests.
func ctFast(store workosauth.Store) workosauth.TokenSourceConfig {
	return workosauth.TokenSourceConfig{Store: store, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}
}

func (e *ctEnv) refreshes() int { return e.fake.CountCalls(ctAuthPath, "refresh_token") }

func (e *ctEnv) source(t testing.TB, s *workosauth.Session, cfg workosauth.TokenSourceConfig) *workosauth.TokenSource {
	t.Helper()
	ts, err := e.wc.NewTokenSource(context.Background(), s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestTokenSourceHotPathMakesNoCalls(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	e.clock.Add(3*time.Minute + 59*time.Second) // lead is one minute of five
	for range 100 {
		tok, err := ts.Token()
		if err != nil || tok.AccessToken != s.AccessToken {
			t.Fatalf("cached token not served: %v", err)
		}
	}
	if n := e.refreshes(); n != 0 {
		t.Fatalf("%d refresh calls on the hot path", n)
	}
	var _ oauth2.TokenSource = ts
}

func TestTokenSourceRefreshesBeforeExpiryAndSaves(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	store := workosauth.NewMemoryStore(nil)
	ts := e.source(t, s, ctFast(store))
	if got, _ := store.Load(context.Background()); got == nil || got.RefreshToken != s.RefreshToken {
		t.Fatal("initial session not saved")
	}
	e.clock.Add(4*time.Minute + time.Second)
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == s.AccessToken || tok.RefreshToken == s.RefreshToken {
		t.Fatal("token not refreshed")
	}
	if !tok.Expiry.Equal(e.clock.Now().Add(5 * time.Minute)) {
		t.Errorf("expiry %v", tok.Expiry)
	}
	got, _ := store.Load(context.Background())
	if got.AccessToken != tok.AccessToken || got.RefreshToken != tok.RefreshToken {
		t.Error("new pair not saved")
	}
	cur := ts.Session()
	if cur.User.ID != e.user.ID || cur.OrganizationID != "org_A" || cur.SessionID != s.SessionID || cur.AuthenticationMethod != "GoogleOAuth" {
		t.Errorf("refreshed session lost details: %v", cur)
	}
	if n := e.refreshes(); n != 1 {
		t.Errorf("%d refresh calls", n)
	}
}

func TestTokenSourceShortTokensCapLead(t *testing.T) {
	clk := newCTClock()
	f := workostest.New(workostest.WithClock(clk.Now), workostest.WithAccessTokenTTL(time.Minute))
	defer f.Close()
	u := f.AddUser(workostest.User{Email: "a@example.com"})
	wc, _ := workosauth.NewClient(f.ClientID, workosauth.ClientConfig{APIKey: f.APIKey, Endpoint: f.URL, Now: clk.Now})
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	s, err := wc.ExchangeCode(context.Background(), code, "")
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := wc.NewTokenSource(context.Background(), s, ctFast(nil))
	clk.Add(29 * time.Second) // the lead is capped at half of one minute
	if tok, _ := ts.Token(); tok.AccessToken != s.AccessToken {
		t.Fatal("refreshed too early")
	}
	clk.Add(2 * time.Second)
	if tok, _ := ts.Token(); tok.AccessToken == s.AccessToken {
		t.Fatal("not refreshed after half the lifetime")
	}
}

func TestTokenSourceOneRefreshForManyCallers(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	e.clock.Add(5 * time.Minute) // expired
	// Slow WorkOS so that all callers pile up behind the one refresh.
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Delay: 50 * time.Millisecond, Times: 1})
	const callers = 1000
	var wg sync.WaitGroup
	start := make(chan struct{})
	toks := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			<-start
			tok, err := ts.Token()
			errs[i] = err
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || toks[i] == "" || toks[i] == s.AccessToken || toks[i] != toks[0] {
			t.Fatalf("caller %d: err %v, same token as before %v", i, errs[i], toks[i] == s.AccessToken)
		}
	}
	if n := e.refreshes(); n != 1 {
		t.Fatalf("%d refresh calls for %d callers, want 1", n, callers)
	}
}

func TestTokenSourceKeepsAndSwitchesOrganization(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	ctx := context.Background()
	sw, err := ts.SwitchOrganization(ctx, "org_B")
	if err != nil {
		t.Fatal(err)
	}
	if sw.OrganizationID != "org_B" || sw.RefreshToken == s.RefreshToken {
		t.Fatalf("switched session = %v", sw)
	}
	if tok, _ := ts.Token(); tok.Extra("organization_id") != "org_B" || tok.AccessToken != sw.AccessToken {
		t.Error("Token does not serve the switched session")
	}
	// A later refresh keeps org_B (WorkOS would fall back to org_A).
	e.clock.Add(5 * time.Minute)
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	if got := ts.Session().OrganizationID; got != "org_B" {
		t.Fatalf("organization after refresh = %q", got)
	}
	calls := e.fake.Calls()
	if last := calls[len(calls)-1]; last.OrganizationID != "org_B" {
		t.Errorf("refresh sent organization_id %q", last.OrganizationID)
	}
	// A foreign organization is refused and the session survives.
	if _, err := ts.SwitchOrganization(ctx, "org_Z"); err == nil {
		t.Fatal("switched into a foreign organization")
	}
	if _, err := ts.Refresh(ctx); err != nil {
		t.Fatalf("refresh after a refused switch: %v", err)
	}
	if got := ts.Session().OrganizationID; got != "org_B" {
		t.Errorf("organization = %q", got)
	}
	if _, err := ts.SwitchOrganization(ctx, ""); err == nil {
		t.Error("empty organization accepted")
	}
}

func TestTokenSourceTerminalFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(e *ctEnv, s *workosauth.Session)
		code  string
	}{
		{"session ended", func(e *ctEnv, s *workosauth.Session) { e.fake.EndSession(s.SessionID) }, workosauth.CodeInvalidGrant},
		{"sso_required", func(e *ctEnv, _ *workosauth.Session) {
			e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Code: "sso_required"})
		}, workosauth.CodeSSORequired},
		{"mfa_enrollment", func(e *ctEnv, _ *workosauth.Session) {
			e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Code: "mfa_enrollment"})
		}, workosauth.CodeMFAEnrollment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCTEnv(t)
			s := e.signIn(t, workostest.CodeOptions{})
			store := workosauth.NewMemoryStore(nil)
			ts := e.source(t, s, ctFast(store))
			tc.fault(e, s)

			// Due but still valid: the current token is served.
			e.clock.Add(4*time.Minute + 10*time.Second)
			tok, err := ts.Token()
			if err != nil || tok.AccessToken != s.AccessToken {
				t.Fatalf("still-valid token not served: %v", err)
			}
			// Expired: the recognisable error.
			e.clock.Add(time.Minute)
			_, err = ts.Token()
			if !errors.Is(err, workosauth.ErrSignInRequired) {
				t.Fatalf("err = %v", err)
			}
			var ae *workosauth.APIError
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("APIError = %v", ae)
			}
			ctNoSecrets(t, err.Error(), s.RefreshToken, s.AccessToken, e.fake.APIKey)
			// Nothing cleared.
			if got, _ := store.Load(context.Background()); got == nil || got.RefreshToken != s.RefreshToken {
				t.Error("store changed after a terminal failure")
			}
			// No more calls: the failure is remembered.
			before := e.refreshes()
			for range 10 {
				if _, err := ts.Token(); !errors.Is(err, workosauth.ErrSignInRequired) {
					t.Fatalf("err = %v", err)
				}
			}
			if n := e.refreshes(); n != before {
				t.Errorf("%d more refresh calls after a terminal failure", n-before)
			}
			if n := e.refreshes(); tc.code == workosauth.CodeInvalidGrant && n != 1 {
				t.Errorf("%d refresh calls, want 1 (no retry of a terminal error)", n)
			}
		})
	}
}

func TestTokenSourceTerminalRecoversFromStore(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	store := workosauth.NewMemoryStore(nil)
	ts := e.source(t, s, ctFast(store))
	e.fake.EndSession(s.SessionID)
	e.clock.Add(5 * time.Minute)
	if _, err := ts.Token(); !errors.Is(err, workosauth.ErrSignInRequired) {
		t.Fatal(err)
	}
	// The user signs in again elsewhere; the new session lands in the store.
	fresh := e.signIn(t, workostest.CodeOptions{})
	if err := store.Save(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != fresh.AccessToken {
		t.Fatalf("new stored session not picked up: %v", err)
	}
}

func TestTokenSourceTransientFailuresRetried(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	e.clock.Add(5 * time.Minute)
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Status: 503, Times: 1})
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, CloseConnection: true, Times: 1})
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Status: 429, RetryAfter: "1", Times: 1})
	start := time.Now()
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == s.AccessToken {
		t.Fatal("not refreshed")
	}
	if n := e.refreshes(); n != 4 {
		t.Errorf("%d refresh calls, want 4", n)
	}
	// Retry-After (1 s) was honoured up to MaxRetryAfter (20 ms).
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("retries took %v", d)
	}
}

func TestTokenSourceTransientExhaustedKeepsRefreshToken(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	store := workosauth.NewMemoryStore(nil)
	cfg := ctFast(store)
	cfg.MaxAttempts = 3
	ts := e.source(t, s, cfg)
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Status: 500})

	// Due but valid: served despite the failing refresh.
	e.clock.Add(4*time.Minute + 10*time.Second)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != s.AccessToken {
		t.Fatalf("valid token not served: %v", err)
	}
	if n := e.refreshes(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	// Expired: the transient error, not sign-in-required.
	e.clock.Add(time.Minute)
	_, err := ts.Token()
	var ae *workosauth.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || !ae.Temporary() || errors.Is(err, workosauth.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := store.Load(context.Background()); got.RefreshToken != s.RefreshToken {
		t.Fatal("refresh token lost")
	}
	// WorkOS recovers: the kept refresh token works.
	e.fake.ClearFaults()
	tok, err := ts.Token()
	if err != nil || tok.AccessToken == s.AccessToken {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestTokenSourceContextEnds(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	ts, err := e.wc.NewTokenSource(ctx, s, ctFast(nil))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	e.clock.Add(5 * time.Minute)
	if _, err := ts.Token(); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := e.refreshes(); n != 0 {
		t.Errorf("%d calls after the context ended", n)
	}

	// Refresh's ctx bounds the wait only.
	ts2 := e.source(t, e.signIn(t, workostest.CodeOptions{}), ctFast(nil))
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Delay: 200 * time.Millisecond, Times: 1})
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := ts2.Refresh(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// The refresh itself completed and its pair is used.
	tok, err := ts2.Refresh(context.Background())
	if err != nil || tok == nil {
		t.Fatal(err)
	}
}

// staleOnceStore answers its first Load after a Save with the stale
// session: as if another process rotated the pair between our read and
// our refresh call.
type staleOnceStore struct {
	workosauth.Store
	mu    sync.Mutex
	stale *workosauth.Session
}

func (s *staleOnceStore) Load(ctx context.Context) (*workosauth.Session, error) {
	s.mu.Lock()
	st := s.stale
	s.stale = nil
	s.mu.Unlock()
	if st != nil {
		return st, nil
	}
	return s.Store.Load(ctx)
}

func TestTokenSourceRereadsStoreOnInvalidGrant(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	inner := workosauth.NewMemoryStore(nil)
	store := &staleOnceStore{Store: inner}
	ts := e.source(t, s, ctFast(store))

	// Another process spends the refresh token and saves its new pair.
	other := e.source(t, s, ctFast(workosauth.NewMemoryStore(nil)))
	rotated, err := other.Refresh(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = inner.Save(context.Background(), other.Session())
	store.mu.Lock()
	store.stale = s
	store.mu.Unlock()

	e.clock.Add(4*time.Minute + 10*time.Second)
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	// invalid_grant for the spent token, then the store's newer pair.
	if tok.AccessToken == s.AccessToken {
		t.Fatal("old token served")
	}
	_ = rotated
	calls := e.fake.Calls()
	var statuses []int
	for _, c := range calls {
		if c.GrantType == "refresh_token" {
			statuses = append(statuses, c.Status)
		}
	}
	// other's refresh (200), ours with the spent token (400).
	if len(statuses) < 2 || statuses[1] != 400 {
		t.Fatalf("refresh statuses %v", statuses)
	}
}

func TestTokenSourceTwoProcessesShareFileStore(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	path := filepath.Join(t.TempDir(), "session.json")
	fs1, err := workosauth.NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs1.Save(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	fs2, _ := workosauth.NewFileStore(path)
	// Two "processes": independent sources over independent stores on one
	// file, both starting from the file.
	p1 := e.source(t, nil, ctFast(fs1))
	p2 := e.source(t, nil, ctFast(fs2))

	for round := range 3 {
		e.clock.Add(5 * time.Minute)
		before := e.refreshes()
		var wg sync.WaitGroup
		toks := make(chan string, 200)
		for i := range 200 {
			p := p1
			if i%2 == 1 {
				p = p2
			}
			wg.Go(func() {
				tok, err := p.Token()
				if err != nil {
					t.Error(err)
					return
				}
				toks <- tok.AccessToken
			})
		}
		wg.Wait()
		close(toks)
		seen := map[string]bool{}
		for tok := range toks {
			seen[tok] = true
		}
		if n := e.refreshes() - before; n != 1 {
			t.Fatalf("round %d: %d refresh calls, want 1", round, n)
		}
		if len(seen) != 1 {
			t.Fatalf("round %d: %d distinct tokens", round, len(seen))
		}
	}
	got, _ := fs1.Load(context.Background())
	if got.AccessToken != p1.Session().AccessToken || got.AccessToken != p2.Session().AccessToken {
		t.Error("file and sources disagree")
	}
}

func TestTokenSourceFromEmptyStore(t *testing.T) {
	e := newCTEnv(t)
	_, err := e.wc.NewTokenSource(context.Background(), nil, workosauth.TokenSourceConfig{Store: workosauth.NewMemoryStore(nil)})
	if !errors.Is(err, workosauth.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
	// A session without refresh token serves its token, then asks to sign in.
	s := e.signIn(t, workostest.CodeOptions{})
	s.RefreshToken = ""
	ts := e.source(t, s, ctFast(nil))
	if tok, err := ts.Token(); err != nil || tok.AccessToken != s.AccessToken {
		t.Fatal(err)
	}
	e.clock.Add(5 * time.Minute)
	if _, err := ts.Token(); !errors.Is(err, workosauth.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkTokenSourceToken measures Token on the hot path (a valid
// cached token) with many goroutines: it must not serialise callers.
func BenchmarkTokenSourceToken(b *testing.B) {
	f := workostest.New() // real clock: the token stays valid
	defer f.Close()
	u := f.AddUser(workostest.User{Email: "bench@example.com"})
	wc, err := workosauth.NewClient(f.ClientID, workosauth.ClientConfig{APIKey: f.APIKey, Endpoint: f.URL})
	if err != nil {
		b.Fatal(err)
	}
	code, _ := f.NewCode(u.ID, workostest.CodeOptions{})
	s, err := wc.ExchangeCode(context.Background(), code, "")
	if err != nil {
		b.Fatal(err)
	}
	ts, err := wc.NewTokenSource(context.Background(), s, workosauth.TokenSourceConfig{})
	if err != nil {
		b.Fatal(err)
	}
	for _, par := range []int{1, 64} {
		b.Run(fmt.Sprintf("goroutines_per_cpu=%d", par), func(b *testing.B) {
			b.SetParallelism(par)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if tok, err := ts.Token(); err != nil || tok.AccessToken == "" {
						b.Error("no token")
						return
					}
				}
			})
		})
	}
	if n := f.CountCalls(ctAuthPath, "refresh_token"); n != 0 {
		b.Fatalf("%d refresh calls", n)
	}
}

// BenchmarkReuseTokenSourceBaseline is x/oauth2's ReuseTokenSource (a mutex
// on every call) over a valid token, for comparison.
func BenchmarkReuseTokenSourceBaseline(b *testing.B) {
	ts := oauth2.ReuseTokenSource(&oauth2.Token{AccessToken: "x", Expiry: time.Now().Add(time.Hour)}, nil)
	for _, par := range []int{1, 64} {
		b.Run(fmt.Sprintf("goroutines_per_cpu=%d", par), func(b *testing.B) {
			b.SetParallelism(par)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := ts.Token(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// The sign-in-required error survives the trip through MastraClient.
func TestTokenSourceErrorThroughMastraClient(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	srv := mastratest.NewServer()
	defer srv.Close()
	mc, err := client.New(srv.URL, client.WithTokenSource(ts), client.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	params := agents.GenerateParams{Messages: agents.Text("hi")}
	if _, err := mc.Agents.Generate(context.Background(), "weatherAgent", params); err != nil {
		t.Fatal(err)
	}
	e.fake.EndSession(s.SessionID)
	e.clock.Add(5 * time.Minute)
	_, err = mc.Agents.Generate(context.Background(), "weatherAgent", params)
	if !errors.Is(err, workosauth.ErrSignInRequired) {
		t.Fatalf("err = %v", err)
	}
	ctNoSecrets(t, err.Error(), s.AccessToken, s.RefreshToken)
}

// failingStore refuses every Save after the first.
type failingStore struct {
	workosauth.MemoryStore
	mu    sync.Mutex
	saves int
}

func (f *failingStore) Save(ctx context.Context, s *workosauth.Session) error {
	f.mu.Lock()
	f.saves++
	n := f.saves
	f.mu.Unlock()
	if n > 1 {
		return errors.New("disk full")
	}
	return f.MemoryStore.Save(ctx, s)
}

func TestTokenSourceSaveFailureKeepsPairInMemory(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(&failingStore{}))
	tok, err := ts.Refresh(context.Background())
	if err == nil || tok != nil {
		t.Fatalf("Refresh: %v", err)
	}
	ctNoSecrets(t, err.Error(), s.RefreshToken, ts.Session().RefreshToken)
	// The new pair is used: the old refresh token is spent.
	cur, err := ts.Token()
	if err != nil || cur.AccessToken == s.AccessToken || cur.AccessToken != ts.Session().AccessToken {
		t.Fatalf("Token after a failed save: %v", err)
	}
}
