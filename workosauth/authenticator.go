package workosauth

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// Authenticator defaults; see [AuthenticatorConfig].
const (
	DefaultCacheTTL  = 60 * time.Second // lifetime of cached users and membership lists
	DefaultCacheSize = 1000             // entries per cache, as MastraAuthWorkos's LRU
)

// AuthenticatorConfig configures an [Authenticator]. Its options mirror
// those of Mastra's MastraAuthWorkos (fetchMemberships, trustJwtClaims,
// jwtClaims, mapJwtPayloadToUser, authorizeUser, public).
type AuthenticatorConfig struct {
	// ClientID is the WorkOS client id (required unless Verifier is set).
	ClientID string
	// APIKey is the WorkOS API key, used to read users and memberships. It
	// may be empty only with TrustJWTClaims and without FetchMemberships.
	APIKey string
	// Endpoint is the WorkOS API base URL; empty means DefaultEndpoint.
	Endpoint string
	// HTTPClient is used for WorkOS calls; nil means a 10 s timeout client.
	HTTPClient *http.Client
	// Verifier checks tokens; nil means NewVerifier(ClientID) with
	// Endpoint, HTTPClient and Now. Pass one to set issuers, audience,
	// leeway or a key set URL.
	Verifier *Verifier

	// FetchMemberships lists the user's organization memberships (all
	// pages) and sets User.Memberships.
	FetchMemberships bool
	// TrustJWTClaims builds the user from the verified token alone, with
	// no call to WorkOS, and trusts its organization claims. Needed for
	// service tokens (WorkOS JWT templates, machine-to-machine tokens)
	// whose subject is no WorkOS user. Without it, the user is read from
	// WorkOS and organization claims in the token are ignored.
	TrustJWTClaims bool
	// JWTClaims names the claims a user is read from.
	JWTClaims ClaimPaths
	// MapClaims, if set, adjusts the user built from the token's claims
	// (after JWTClaims is applied) before it is checked and used.
	MapClaims func(t *VerifiedToken, u *User)
	// AuthorizeUser decides whether an authenticated user may proceed. nil
	// means: allow when both ID and WorkOSID are set. false yields 403, an
	// error 500.
	AuthorizeUser func(ctx context.Context, u *User, r *http.Request) (bool, error)

	// PublicPaths lists request paths the middleware lets through without
	// a token: "/health" matches exactly, "/public/*" matches everything
	// under /public/.
	PublicPaths []string
	// CacheTTL is how long WorkOS users and membership lists are cached;
	// zero means DefaultCacheTTL, negative disables the caches.
	CacheTTL time.Duration
	// CacheSize bounds each cache; zero means DefaultCacheSize entries.
	CacheSize int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger, if set, receives one line per refused request (at Debug) and
	// per AuthorizeUser failure (at Error). Tokens are never logged.
	Logger *slog.Logger
}

// Authenticator resolves WorkOS access tokens to users the way Mastra's
// MastraAuthWorkos does, and guards net/http handlers with [Authenticator.Middleware].
//
// Unlike MastraAuthWorkos it does not fetch the key set on every request:
// the [Verifier] caches it, and WorkOS users and membership lists are cached
// for CacheTTL (60 s, up to 1,000 each), so a warm Authenticator makes no
// WorkOS call with TrustJWTClaims and at most one call per user per minute
// otherwise. It is safe for concurrent use.
type Authenticator struct {
	cfg         AuthenticatorConfig
	verifier    *Verifier
	um          *usermanagement.Client
	users       *ttlCache[usermanagement.User]
	memberships *ttlCache[[]Membership]
	public      []string
}

// NewAuthenticator validates cfg and returns an Authenticator. It makes no
// network call.
func NewAuthenticator(cfg AuthenticatorConfig) (*Authenticator, error) {
	if cfg.APIKey == "" && (!cfg.TrustJWTClaims || cfg.FetchMemberships) {
		return nil, errors.New("workosauth: NewAuthenticator: API key is required unless TrustJWTClaims is set without FetchMemberships")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v := cfg.Verifier
	if v == nil {
		var err error
		v, err = NewVerifier(cfg.ClientID, VerifierConfig{Endpoint: cfg.Endpoint, HTTPClient: cfg.HTTPClient, Now: cfg.Now})
		if err != nil {
			return nil, err
		}
	}
	um, err := NewUserManagementClient(cfg.APIKey, cfg.Endpoint, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.PublicPaths {
		if len(p) == 0 || p[0] != '/' {
			return nil, fmt.Errorf("workosauth: NewAuthenticator: public path %q must start with /", p)
		}
	}
	a := &Authenticator{cfg: cfg, verifier: v, um: um, public: slices.Clone(cfg.PublicPaths)}
	if cfg.CacheTTL >= 0 {
		ttl := orDefault(cfg.CacheTTL, DefaultCacheTTL)
		size := orDefault(cfg.CacheSize, DefaultCacheSize)
		a.users = newTTLCache[usermanagement.User](ttl, size, cfg.Now)
		a.memberships = newTTLCache[[]Membership](ttl, size, cfg.Now)
	}
	return a, nil
}

// Verifier returns the Verifier the Authenticator checks tokens with.
func (a *Authenticator) Verifier() *Verifier { return a.verifier }

// Authenticate verifies token and resolves its user, following
// MastraAuthWorkos.authenticateToken for bearer tokens:
//
//   - With TrustJWTClaims and a token that names a user, the user comes
//     from the claims alone (plus memberships if FetchMemberships is set and
//     the token names no organization membership).
//   - Otherwise the token's sub is looked up in WorkOS; with
//     FetchMemberships the memberships are added, and organizationId is set
//     only when the user has exactly one. Organization claims in the token
//     are not used.
//
// A failed membership lookup never fails authentication. Errors from token
// verification are [*TokenError]s.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (*User, error) {
	t, err := a.verifier.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	jwtUser := userFromClaims(t, a.cfg.JWTClaims, a.cfg.MapClaims)
	if a.cfg.TrustJWTClaims && jwtUser != nil {
		jwtUser.Claims = t.Claims
		return a.attachMemberships(ctx, jwtUser), nil
	}
	if t.Subject == "" {
		return nil, errors.New("workosauth: token has no subject and its claims are not trusted")
	}
	w, err := a.users.get(ctx, t.Subject, func(ctx context.Context) (usermanagement.User, error) {
		return a.um.GetUser(ctx, usermanagement.GetUserOpts{User: url.PathEscape(t.Subject)})
	})
	if err != nil {
		return nil, fmt.Errorf("workosauth: look up user: %w", err)
	}
	u := userFromWorkOS(w)
	u.Claims = t.Claims
	if a.cfg.FetchMemberships {
		if ms, err := a.listMemberships(ctx, u.WorkOSID); err == nil {
			u.Memberships = ms
			if len(ms) == 1 {
				u.OrganizationID = ms[0].OrganizationID
			}
		}
	}
	if jwtUser != nil {
		// Keep the token's own metadata, minus its organization claims.
		md := jwtUser.Metadata
		delete(md, "organizationId")
		delete(md, "organizationMembershipId")
		for k, v := range u.Metadata {
			md[k] = v
		}
		u.Metadata = md
	}
	return u, nil
}

// attachMemberships mirrors MastraAuthWorkos.attachMembershipsIfNeeded.
func (a *Authenticator) attachMemberships(ctx context.Context, u *User) *User {
	if !a.cfg.FetchMemberships || u.OrganizationMembershipID != "" {
		return u
	}
	ms, err := a.listMemberships(ctx, u.WorkOSID)
	if err != nil {
		return u
	}
	u.Memberships = ms
	if u.OrganizationID == "" && len(ms) == 1 {
		u.OrganizationID = ms[0].OrganizationID
	}
	return u
}

// maxMembershipPages stops a misbehaving cursor from looping forever.
const maxMembershipPages = 100

func (a *Authenticator) listMemberships(ctx context.Context, userID string) ([]Membership, error) {
	ms, err := a.memberships.get(ctx, userID, func(ctx context.Context) ([]Membership, error) {
		var out []Membership
		opts := usermanagement.ListOrganizationMembershipsOpts{UserID: userID, Limit: 100}
		for range maxMembershipPages {
			page, err := a.um.ListOrganizationMemberships(ctx, opts)
			if err != nil {
				return nil, err
			}
			for _, m := range page.Data {
				out = append(out, membershipFromWorkOS(m))
			}
			if page.ListMetadata.After == "" || page.ListMetadata.After == opts.After {
				return out, nil
			}
			opts.After = page.ListMetadata.After
		}
		return out, nil
	})
	return slices.Clone(ms), err // the cached list stays unshared
}

// Authorize reports whether u may proceed with r, using
// AuthenticatorConfig.AuthorizeUser or, by default, allowing any user with
// both an ID and a WorkOSID.
func (a *Authenticator) Authorize(ctx context.Context, u *User, r *http.Request) (bool, error) {
	if u == nil {
		return false, nil
	}
	if a.cfg.AuthorizeUser != nil {
		return a.cfg.AuthorizeUser(ctx, u, r)
	}
	return u.ID != "" && u.WorkOSID != "", nil
}

// ttlCache is a small LRU cache whose entries expire, with concurrent loads
// of one key merged into one call. A nil cache loads every time.
type ttlCache[V any] struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu       sync.Mutex
	entries  map[string]*list.Element // of *cacheEntry[V]
	order    *list.List               // most recently used first
	inflight map[string]*cacheLoad[V]
}

type cacheEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

type cacheLoad[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func newTTLCache[V any](ttl time.Duration, size int, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, size: size, now: now,
		entries: map[string]*list.Element{}, order: list.New(), inflight: map[string]*cacheLoad[V]{}}
}

func (c *ttlCache[V]) get(ctx context.Context, key string, load func(context.Context) (V, error)) (V, error) {
	if c == nil {
		return load(ctx)
	}
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		ent := e.Value.(*cacheEntry[V])
		if c.now().Before(ent.expires) {
			c.order.MoveToFront(e)
			c.mu.Unlock()
			return ent.val, nil
		}
		c.order.Remove(e)
		delete(c.entries, key)
	}
	if l, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.val, l.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	l := &cacheLoad[V]{done: make(chan struct{})}
	c.inflight[key] = l
	c.mu.Unlock()

	// Others may wait on this load: do not let this caller's cancellation
	// end it (the HTTP client's timeout still bounds it).
	l.val, l.err = load(context.WithoutCancel(ctx))

	c.mu.Lock()
	delete(c.inflight, key)
	if l.err == nil {
		c.entries[key] = c.order.PushFront(&cacheEntry[V]{key: key, val: l.val, expires: c.now().Add(c.ttl)})
		for c.order.Len() > c.size {
			oldest := c.order.Back()
			c.order.Remove(oldest)
			delete(c.entries, oldest.Value.(*cacheEntry[V]).key)
		}
	}
	c.mu.Unlock()
	close(l.done)
	return l.val, l.err
}
