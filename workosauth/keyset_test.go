package workosauth_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/workosauth"
)

func TestKeySetWarmCacheMakesNoCalls(t *testing.T) {
	j := newVTJWKS(t)
	v := j.verifier(t, newVTClock(), workosauth.VerifierConfig{})
	token := vtSign(t, vtRSAKeys()[0], "key_1", vtClaims())
	for range 100 {
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, j.calls.Load())
}

func TestKeySetColdFetchMergedUnderConcurrency(t *testing.T) {
	j := newVTJWKS(t)
	j.delay = 50 * time.Millisecond // keep the fetch in flight while others arrive
	v := j.verifier(t, newVTClock(), workosauth.VerifierConfig{})
	token := vtSign(t, vtRSAKeys()[0], "key_1", vtClaims())
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), token)
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, j.calls.Load())
}

func TestKeySetRotationRefetchesOnUnknownKid(t *testing.T) {
	keys := vtRSAKeys()
	j := newVTJWKS(t)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{})
	ctx := context.Background()

	_, err := v.Verify(ctx, vtSign(t, keys[0], "key_1", vtClaims()))
	require.NoError(t, err)

	// WorkOS publishes a new key and signs with it.
	j.setKeys(map[string]*rsa.PrivateKey{"key_1": keys[0], "key_2": keys[1]})
	clock.Add(time.Minute) // past the cooldown
	c := vtClaims()
	c["exp"] = clock.Now().Add(5 * time.Minute).Unix()
	_, err = v.Verify(ctx, vtSign(t, keys[1], "key_2", c))
	require.NoError(t, err)
	require.EqualValues(t, 2, j.calls.Load())

	// Both keys now verify from the cache.
	_, err = v.Verify(ctx, vtSign(t, keys[0], "key_1", c))
	require.NoError(t, err)
	require.EqualValues(t, 2, j.calls.Load())
}

func TestKeySetCooldownStopsKidFlood(t *testing.T) {
	j := newVTJWKS(t)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{KeyRefetchCooldown: 30 * time.Second})
	ctx := context.Background()
	_, err := v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_1", vtClaims()))
	require.NoError(t, err)

	// A known-key-signed token with a random kid each time.
	for i := range 20 {
		_, err := v.Verify(ctx, vtSign(t, vtRSAKeys()[0], fmt.Sprintf("kid_%d", i), vtClaims()))
		require.ErrorIs(t, err, workosauth.ErrTokenUnknownKey)
	}
	require.EqualValues(t, 1, j.calls.Load(), "no refetch within the cooldown")

	clock.Add(31 * time.Second)
	c := vtClaims()
	c["exp"] = clock.Now().Add(time.Minute).Unix()
	for i := range 20 {
		_, err := v.Verify(ctx, vtSign(t, vtRSAKeys()[0], fmt.Sprintf("kid_%d", i), c))
		require.ErrorIs(t, err, workosauth.ErrTokenUnknownKey)
	}
	require.EqualValues(t, 2, j.calls.Load(), "one refetch per cooldown")
}

func TestKeySetDownCold(t *testing.T) {
	j := newVTJWKS(t)
	j.setStatus(http.StatusServiceUnavailable)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{})
	token := vtSign(t, vtRSAKeys()[0], "key_1", vtClaims())

	for range 5 {
		_, err := v.Verify(context.Background(), token)
		require.ErrorIs(t, err, workosauth.ErrKeySetUnavailable)
		require.Contains(t, err.Error(), "status 503")
	}
	require.EqualValues(t, 1, j.calls.Load(), "failed fetches are not retried within the cooldown")

	// WorkOS comes back; after the cooldown the next request succeeds.
	j.setStatus(0)
	clock.Add(workosauth.DefaultKeyRefetchCooldown)
	_, err := v.Verify(context.Background(), token)
	require.NoError(t, err)
}

func TestKeySetDownWarmKeepsStaleKeys(t *testing.T) {
	j := newVTJWKS(t)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{KeyRefreshInterval: time.Minute})
	ctx := context.Background()
	_, err := v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_1", vtClaims()))
	require.NoError(t, err)

	j.setStatus(http.StatusInternalServerError)
	clock.Add(2 * time.Minute) // the cached set is due for refresh, and the refresh fails
	token := vtSign(t, vtRSAKeys()[0], "key_1", vtClaims())
	for range 5 {
		_, err = v.Verify(ctx, token)
		require.NoError(t, err, "a published key keeps working while WorkOS is down")
	}
	require.EqualValues(t, 2, j.calls.Load())

	// An unknown kid cannot be decided while WorkOS is down.
	clock.Add(time.Minute)
	_, err = v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_9", vtClaims()))
	require.ErrorIs(t, err, workosauth.ErrKeySetUnavailable)
}

func TestKeySetPeriodicRefreshDropsRemovedKeys(t *testing.T) {
	keys := vtRSAKeys()
	j := newVTJWKS(t)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{KeyRefreshInterval: time.Minute})
	ctx := context.Background()
	c := vtClaims()
	c["exp"] = vtEpoch.Add(time.Hour).Unix()
	old := vtSign(t, keys[0], "key_1", c)
	_, err := v.Verify(ctx, old)
	require.NoError(t, err)

	j.setKeys(map[string]*rsa.PrivateKey{"key_2": keys[1]})
	clock.Add(30 * time.Second)
	_, err = v.Verify(ctx, old)
	require.NoError(t, err, "still within the refresh interval")

	clock.Add(31 * time.Second)
	_, err = v.Verify(ctx, old)
	require.ErrorIs(t, err, workosauth.ErrTokenUnknownKey, "removed key is no longer trusted")
}

func TestKeySetCancelledRequest(t *testing.T) {
	j := newVTJWKS(t)
	j.delay = 200 * time.Millisecond
	v := j.verifier(t, newVTClock(), workosauth.VerifierConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_1", vtClaims()))
	require.ErrorIs(t, err, workosauth.ErrKeySetUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestKeySetSkipsUnusableKeys(t *testing.T) {
	srv := vtServeJSON(t, `{"keys":[
		{"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"},
		{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},
		{"kty":"RSA","kid":"enc","use":"enc","n":"`+vtModulus(vtRSAKeys()[1])+`","e":"AQAB"},
		{"kty":"RSA","kid":"key_1","alg":"RS256","use":"sig","n":"`+vtModulus(vtRSAKeys()[0])+`","e":"AQAB"}]}`)
	v, err := workosauth.NewVerifier("client_test", workosauth.VerifierConfig{JWKSURL: srv, Now: newVTClock().Now})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_1", vtClaims()))
	require.NoError(t, err)
	_, err = v.Verify(ctx, vtSign(t, vtRSAKeys()[1], "enc", vtClaims()))
	require.ErrorIs(t, err, workosauth.ErrTokenUnknownKey)

	empty := vtServeJSON(t, `{"keys":[]}`)
	v, err = workosauth.NewVerifier("client_test", workosauth.VerifierConfig{JWKSURL: empty, Now: newVTClock().Now})
	require.NoError(t, err)
	_, err = v.Verify(ctx, vtSign(t, vtRSAKeys()[0], "key_1", vtClaims()))
	require.ErrorIs(t, err, workosauth.ErrKeySetUnavailable)
}

// A request whose kid is missing from a fetch that was already running when
// it arrived gets one follow-up fetch, even within the cooldown: that fetch
// may have started before WorkOS published the key.
func TestKeySetFollowUpFetchForJoinedWaiter(t *testing.T) {
	keys := vtRSAKeys()
	j := newVTJWKS(t)
	clock := newVTClock()
	v := j.verifier(t, clock, workosauth.VerifierConfig{})
	ctx := context.Background()
	_, err := v.Verify(ctx, vtSign(t, keys[0], "key_1", vtClaims()))
	require.NoError(t, err)
	clock.Add(time.Minute)
	c := vtClaims()
	c["exp"] = clock.Now().Add(time.Minute).Unix()

	j.mu.Lock()
	j.delay = 100 * time.Millisecond
	j.mu.Unlock()
	done := make(chan error, 1)
	go func() { // a random kid starts a fetch
		_, err := v.Verify(ctx, vtSign(t, keys[0], "kid_random", c))
		done <- err
	}()
	require.Eventually(t, func() bool { return j.calls.Load() == 2 }, time.Second, time.Millisecond)
	// WorkOS publishes key_2 while that fetch is under way.
	j.setKeys(map[string]*rsa.PrivateKey{"key_1": keys[0], "key_2": keys[1]})
	_, err = v.Verify(ctx, vtSign(t, keys[1], "key_2", c))
	require.NoError(t, err)
	require.ErrorIs(t, <-done, workosauth.ErrTokenUnknownKey)
	require.EqualValues(t, 3, j.calls.Load())
}
