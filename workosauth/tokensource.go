package workosauth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Defaults of [TokenSourceConfig].
const (
	// DefaultRefreshLead is how long before expiry a token is refreshed: a
	// fifth of WorkOS's default five-minute access token.
	DefaultRefreshLead = time.Minute
	// DefaultMaxAttempts is how many refresh calls a refresh may make when
	// WorkOS answers 408, 429 or 5xx or the network fails.
	DefaultMaxAttempts = 4
	// DefaultMinBackoff and DefaultMaxBackoff bound the jittered
	// exponential wait between attempts.
	DefaultMinBackoff = 250 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	// DefaultMaxRetryAfter caps the wait a Retry-After header may ask for.
	DefaultMaxRetryAfter = 30 * time.Second
)

// expirySkew is how long before exp a token is no longer handed out, as
// oauth2.Token.Valid does.
const expirySkew = 10 * time.Second

// TokenSourceConfig configures a [TokenSource]. Zero fields take the
// defaults.
type TokenSourceConfig struct {
	// Store persists each new token pair before it is used (default: a
	// MemoryStore). Share a FileStore between processes that share a
	// session.
	Store Store
	// RefreshLead is how long before the access token's exp the source
	// refreshes it (default [DefaultRefreshLead]). It is capped at half the
	// token's lifetime, so short-lived tokens are still used.
	RefreshLead time.Duration
	// MaxAttempts bounds the refresh calls of one refresh when failures are
	// transient (default [DefaultMaxAttempts]; 1 disables retries).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff
	// between attempts (defaults [DefaultMinBackoff], [DefaultMaxBackoff]).
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter caps a Retry-After wait (default
	// [DefaultMaxRetryAfter]).
	MaxRetryAfter time.Duration
}

// TokenSource is an oauth2.TokenSource over a WorkOS session that refreshes
// the access token before it expires. Create it with
// [Client.NewTokenSource]; it is safe for concurrent use, and one
// TokenSource should serve a session in a process.
//
// While the cached token is fresh, Token takes no lock and makes no call.
// When it is due, one refresh runs however many goroutines ask (the others
// wait for its result), with the long-lived context given at creation, and
// keeps the session's current organization. The new pair is saved to the
// Store before any caller gets it. If WorkOS says invalid_grant, the Store is
// read once more, since another process sharing it may have rotated the
// pair. Transient failures (429 with Retry-After, 408, 5xx, network) are
// retried with backoff and never lose the refresh token; while the old
// access token is still valid it keeps being served. Terminal failures
// (invalid_grant, sso_required, mfa_enrollment) give an error matching
// [ErrSignInRequired]; the Store is left as it is.
//
// If the Store cannot save a new pair, the pair is still used from memory
// (WorkOS has already spent the old refresh token): Token serves it, and
// Refresh and SwitchOrganization report the save error.
type TokenSource struct {
	c     *Client
	ctx   context.Context
	store Store
	cfg   TokenSourceConfig

	state atomic.Pointer[tsState]

	mu     sync.Mutex // guards flight; never held across a call
	flight *tsFlight
}

// tsState is an immutable snapshot of the source.
type tsState struct {
	session   *Session
	token     *oauth2.Token
	refreshAt time.Time
	failed    error // sticky sign-in-required error, until the store changes
}

type tsFlight struct {
	done  chan struct{}
	org   string
	state *tsState
	err   error
}

// NewTokenSource returns a TokenSource for a session.
//
// ctx is the long-lived context of every refresh (for example the
// program's); when it ends, refreshes fail. Do not pass a request's
// context. initial is the session to start from (typically from
// [Client.ExchangeCode]); it is saved to the Store first. With initial nil
// the session is loaded from cfg.Store, and an empty store gives an error
// matching [ErrSignInRequired].
func (c *Client) NewTokenSource(ctx context.Context, initial *Session, cfg TokenSourceConfig) (*TokenSource, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore(nil)
	}
	if cfg.RefreshLead <= 0 {
		cfg.RefreshLead = DefaultRefreshLead
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if initial == nil {
		s, err := cfg.Store.Load(ctx)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("%w: no stored session", ErrSignInRequired)
		}
		initial = s
	} else {
		initial = initial.clone()
		if err := cfg.Store.Save(ctx, initial); err != nil {
			return nil, err
		}
	}
	if initial.AccessToken == "" && initial.RefreshToken == "" {
		return nil, fmt.Errorf("%w: the session has no tokens", ErrSignInRequired)
	}
	ts := &TokenSource{c: c, ctx: ctx, store: cfg.Store, cfg: cfg}
	ts.state.Store(ts.newState(initial))
	return ts, nil
}

func (ts *TokenSource) newState(s *Session) *tsState {
	lead := ts.cfg.RefreshLead
	if !s.IssuedAt.IsZero() {
		if life := s.Expiry.Sub(s.IssuedAt); life > 0 {
			lead = min(lead, life/2)
		}
	}
	return &tsState{session: s, token: s.Token(), refreshAt: s.Expiry.Add(-lead)}
}

// Token returns a valid access token, refreshing it first when it is due.
// The returned token is shared: do not modify it.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	st := ts.state.Load()
	if ts.c.now().Before(st.refreshAt) {
		return st.token, nil
	}
	st, err := ts.refresh(context.Background(), "", false)
	if err != nil {
		// A refresh that failed while the current token is still good
		// does not stop callers.
		if cur := ts.state.Load(); cur.token.AccessToken != "" && ts.c.now().Before(cur.token.Expiry.Add(-expirySkew)) {
			return cur.token, nil
		}
		return nil, err
	}
	return st.token, nil
}

// Session returns a copy of the current session.
func (ts *TokenSource) Session() *Session {
	return ts.state.Load().session.clone()
}

// Refresh refreshes the session now, whether or not it is due, and returns
// the new token. If a refresh is already running it waits for that one.
// ctx bounds the wait only: the refresh itself runs with the source's
// long-lived context, so that a pair WorkOS has rotated is never dropped.
func (ts *TokenSource) Refresh(ctx context.Context) (*oauth2.Token, error) {
	st, err := ts.refresh(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return st.token, nil
}

// SwitchOrganization refreshes the session into another organization the
// user is a member of; later refreshes keep it. ctx bounds the wait as for
// [TokenSource.Refresh].
func (ts *TokenSource) SwitchOrganization(ctx context.Context, organizationID string) (*Session, error) {
	if organizationID == "" {
		return nil, errors.New("workosauth: SwitchOrganization: empty organization id")
	}
	st, err := ts.refresh(ctx, organizationID, true)
	if err != nil {
		return nil, err
	}
	return st.session.clone(), nil
}

// refresh runs or joins the single refresh in flight. org, when set, asks
// for a switch; force refreshes even when the token is not due.
func (ts *TokenSource) refresh(waitCtx context.Context, org string, force bool) (*tsState, error) {
	for {
		ts.mu.Lock()
		f := ts.flight
		if f == nil {
			st := ts.state.Load()
			if !force && ts.c.now().Before(st.refreshAt) {
				// Another flight finished meanwhile.
				ts.mu.Unlock()
				return st, nil
			}
			f = &tsFlight{done: make(chan struct{}), org: org}
			ts.flight = f
			go ts.fly(f, force)
		}
		ts.mu.Unlock()
		select {
		case <-f.done:
		case <-waitCtx.Done():
			return nil, waitCtx.Err()
		}
		// A flight for another organization does not answer a switch.
		if org != "" && f.org != org && (f.err != nil || f.state.session.OrganizationID != org) {
			continue
		}
		return f.state, f.err
	}
}

func (ts *TokenSource) fly(f *tsFlight, force bool) {
	st, err := ts.run(f.org, force)
	f.state, f.err = st, err
	ts.mu.Lock()
	ts.flight = nil
	ts.mu.Unlock()
	close(f.done)
}

// signInError is the terminal failure of a TokenSource.
type signInError struct{ cause error }

func (e *signInError) Error() string {
	return ErrSignInRequired.Error() + ": " + strings.TrimPrefix(e.cause.Error(), "workosauth: ")
}

func (e *signInError) Unwrap() []error { return []error{ErrSignInRequired, e.cause} }

// adoptable reports whether a stored session can be used as it is.
func (ts *TokenSource) adoptable(s *Session, org string, force bool) (*tsState, bool) {
	if s == nil || s.RefreshToken == "" {
		return nil, false
	}
	st := ts.newState(s)
	if force || (org != "" && org != s.OrganizationID) || !ts.c.now().Before(st.refreshAt) {
		return st, false
	}
	return st, true
}

// run performs one refresh: lock the store if it can be locked, pick up a
// pair saved by someone else, else spend the refresh token, with retries.
func (ts *TokenSource) run(org string, force bool) (*tsState, error) {
	ctx := ts.ctx
	cur := ts.state.Load()
	if err := ctx.Err(); err != nil {
		return cur, fmt.Errorf("workosauth: the token source's context ended: %w", err)
	}
	if ls, ok := ts.store.(LockingStore); ok {
		unlock, err := ls.Lock(ctx)
		if err != nil {
			return cur, err
		}
		defer unlock()
	}
	sess := cur.session
	stored, loadErr := ts.store.Load(ctx)
	if loadErr == nil && stored != nil && stored.RefreshToken != "" && stored.RefreshToken != sess.RefreshToken {
		// Another process (or source) rotated the pair.
		if st, ok := ts.adoptable(stored, org, force); ok {
			ts.state.Store(st)
			return st, nil
		}
		sess = stored
	} else if cur.failed != nil {
		return cur, cur.failed
	}
	if sess.RefreshToken == "" {
		return ts.fail(cur, fmt.Errorf("%w: the session has no refresh token", ErrSignInRequired))
	}

	wantOrg := org
	if wantOrg == "" {
		wantOrg = sess.OrganizationID
	}
	reread := false
	for attempt := 1; ; attempt++ {
		next, err := ts.c.RefreshSession(ctx, sess.RefreshToken, wantOrg)
		if err == nil {
			next.User = sess.User
			next.Impersonator = sess.Impersonator
			next.AuthenticationMethod = sess.AuthenticationMethod
			st := ts.newState(next)
			// Save before anyone can use the new pair: the old refresh
			// token is spent.
			saveErr := ts.store.Save(ctx, next)
			ts.state.Store(st)
			if saveErr != nil {
				return st, fmt.Errorf("workosauth: the session was refreshed but not saved: %w", saveErr)
			}
			return st, nil
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.SignInRequired() {
			if ae.Code == CodeInvalidGrant && !reread {
				reread = true
				// Another process may have spent the token and saved a
				// new pair.
				s, lerr := ts.store.Load(ctx)
				if lerr == nil && s != nil && s.RefreshToken != "" && s.RefreshToken != sess.RefreshToken {
					if st, ok := ts.adoptable(s, org, force); ok {
						ts.state.Store(st)
						return st, nil
					}
					sess = s
					continue
				}
			}
			return ts.fail(cur, &signInError{cause: ae})
		}
		if !temporary(err) || attempt >= ts.cfg.MaxAttempts || ctx.Err() != nil {
			// Keep the refresh token; hold further attempts back a little
			// while the current token is still good.
			st := *cur
			st.refreshAt = minTime(ts.c.now().Add(ts.cfg.MaxBackoff), cur.token.Expiry.Add(-expirySkew))
			if st.refreshAt.Before(cur.refreshAt) {
				st.refreshAt = cur.refreshAt
			}
			ts.state.Store(&st)
			return &st, err
		}
		wait := ts.backoff(attempt)
		if ae != nil && ae.RetryAfter > 0 {
			wait = max(wait, min(ae.RetryAfter, ts.cfg.MaxRetryAfter))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return cur, fmt.Errorf("workosauth: the token source's context ended: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// fail records a sticky sign-in-required failure. The current token keeps
// being served until it expires.
func (ts *TokenSource) fail(cur *tsState, err error) (*tsState, error) {
	st := &tsState{session: cur.session, token: cur.token, refreshAt: cur.token.Expiry.Add(-expirySkew), failed: err}
	ts.state.Store(st)
	return st, err
}

func (ts *TokenSource) backoff(attempt int) time.Duration {
	d := ts.cfg.MinBackoff << min(attempt-1, 20)
	if d <= 0 || d > ts.cfg.MaxBackoff {
		d = ts.cfg.MaxBackoff
	}
	// Full jitter in [d/2, d].
	return d/2 + rand.N(d/2+1)
}

// temporary reports whether a refresh failure may succeed when retried.
func temporary(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	var te *transportError
	return errors.As(err, &te)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
