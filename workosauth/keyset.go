package workosauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// maxJWKSSize bounds how much of a key set response is read.
const maxJWKSSize = 1 << 20

// keySet is a cache of the RSA signing keys WorkOS publishes at a JWKS URL.
//
// Once warm it answers from memory without locking. It refetches when a
// token names an unknown kid (WorkOS rotated its key) and when the cached
// copy is older than the refresh interval (so removed keys stop being
// trusted). Concurrent refetches merge into one request, and no refetch
// starts within the cooldown of the previous attempt, so tokens with random
// kids cannot flood WorkOS. When a refetch fails the cached keys stay in use.
type keySet struct {
	url      string
	client   *http.Client
	now      func() time.Time
	refresh  time.Duration
	cooldown time.Duration
	timeout  time.Duration

	cur atomic.Pointer[keySnapshot] // nil until the first successful fetch

	mu        sync.Mutex
	inflight  *keyFetch // the running fetch, if any
	attempted time.Time // start of the last fetch
	lastErr   error     // outcome of the last fetch
}

type keySnapshot struct {
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

type keyFetch struct {
	done     chan struct{}
	err      error
	followed bool // a follow-up fetch was started for its waiters (guarded by mu)
}

// key returns the public key for kid.
func (ks *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	now := ks.now()
	var stale *rsa.PublicKey
	if snap := ks.cur.Load(); snap != nil {
		if k, ok := snap.keys[kid]; ok {
			if now.Sub(snap.fetched) < ks.refresh {
				return k, nil
			}
			stale = k
		}
	}

	// joined is a fetch someone else started that we waited for. It may
	// have begun before WorkOS published our key, so it earns one follow-up
	// fetch despite the cooldown (one per fetch, so random kids can at
	// most double the fetch rate).
	var joined *keyFetch
	for {
		ks.mu.Lock()
		f, mine := ks.inflight, false
		switch {
		case f != nil && stale != nil:
			// Someone else is refreshing; the key we hold was good until now.
			ks.mu.Unlock()
			return stale, nil
		case f == nil:
			if k := ks.lookup(kid); k != nil && joined != nil {
				ks.mu.Unlock()
				return k, nil // a follow-up by another waiter found it
			}
			allowed := ks.attempted.IsZero() || now.Sub(ks.attempted) >= ks.cooldown
			if joined != nil {
				allowed = !joined.followed
				joined.followed = true
			}
			if !allowed {
				err := ks.lastErr
				ks.mu.Unlock()
				if stale != nil {
					return stale, nil
				}
				return nil, ks.missing(err)
			}
			f, mine = &keyFetch{done: make(chan struct{})}, true
			ks.inflight = f
			ks.attempted = ks.now()
			// The fetch outlives a cancelled request: others may wait on it.
			go ks.fetch(context.WithoutCancel(ctx), f)
		}
		ks.mu.Unlock()

		select {
		case <-f.done:
		case <-ctx.Done():
			if stale != nil {
				return stale, nil
			}
			return nil, &TokenError{Kind: ErrKeySetUnavailable, Err: ctx.Err()}
		}
		if k := ks.lookup(kid); k != nil {
			return k, nil
		}
		if f.err != nil && stale != nil {
			return stale, nil // stale-if-error
		}
		if mine || joined != nil || f.err != nil {
			return nil, ks.missing(f.err)
		}
		joined = f
	}
}

func (ks *keySet) lookup(kid string) *rsa.PublicKey {
	if snap := ks.cur.Load(); snap != nil {
		return snap.keys[kid]
	}
	return nil
}

// missing explains why a kid could not be resolved.
func (ks *keySet) missing(fetchErr error) error {
	if fetchErr != nil {
		return &TokenError{Kind: ErrKeySetUnavailable, Err: fetchErr}
	}
	return tokenError(ErrTokenUnknownKey, "kid not in key set")
}

func (ks *keySet) fetch(ctx context.Context, f *keyFetch) {
	ctx, cancel := context.WithTimeout(ctx, ks.timeout)
	defer cancel()
	keys, err := ks.download(ctx)

	ks.mu.Lock()
	if err == nil {
		ks.cur.Store(&keySnapshot{keys: keys, fetched: ks.now()})
	}
	ks.lastErr = err
	ks.inflight = nil
	f.err = err
	ks.mu.Unlock()
	close(f.done)
}

// download fetches the key set and keeps its usable keys: RSA public keys
// of at least 2048 bits with a kid, meant for signatures with RS256.
// Entries it cannot use are skipped rather than failing the whole set.
func (ks *keySet) download(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch key set: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJWKSSize))
		return nil, fmt.Errorf("fetch key set: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSSize)).Decode(&set); err != nil {
		return nil, fmt.Errorf("fetch key set: decode: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if jwk.UnmarshalJSON(raw) != nil || jwk.KeyID == "" {
			continue
		}
		if (jwk.Use != "" && jwk.Use != "sig") || (jwk.Algorithm != "" && jwk.Algorithm != string(jose.RS256)) {
			continue
		}
		pub, ok := jwk.Key.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 {
			continue
		}
		keys[jwk.KeyID] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("fetch key set: no usable RS256 keys")
	}
	return keys, nil
}
