package mastra_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// The whole WorkOS flow through the public API: a code from (fake) WorkOS,
// exchanged by the SDK, refreshed by its TokenSource, sent by the client
// to a Mastra server that verifies it; an organization switch reaches the
// server with the very next request.
func TestWorkOSSignInThroughClient(t *testing.T) {
	fake := workostest.New()
	defer fake.Close()
	user := fake.AddUser(workostest.User{ID: "user_01ADA", Email: "ada@example.com", FirstName: "Ada"})
	for _, org := range []string{"org_A", "org_B"} {
		_, err := fake.AddMembership(workostest.Membership{UserID: user.ID, OrganizationID: org})
		require.NoError(t, err)
	}

	verifier, err := workosauth.NewVerifier(fake.ClientID, workosauth.VerifierConfig{Endpoint: fake.URL})
	require.NoError(t, err)
	var mu sync.Mutex
	var seenOrgs []string
	srv := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, token string) error {
		vt, err := verifier.Verify(ctx, token)
		if err == nil {
			mu.Lock()
			seenOrgs = append(seenOrgs, vt.OrganizationID)
			mu.Unlock()
		}
		return err
	}))
	defer srv.Close()

	ctx := context.Background()
	wc, err := workosauth.NewClient(fake.ClientID, workosauth.ClientConfig{APIKey: fake.APIKey, Endpoint: fake.URL})
	require.NoError(t, err)
	code, err := fake.NewCode(user.ID, workostest.CodeOptions{OrganizationID: "org_A"})
	require.NoError(t, err)
	sess, err := wc.ExchangeCode(ctx, code, "")
	require.NoError(t, err)
	ts, err := wc.NewTokenSource(ctx, sess, workosauth.TokenSourceConfig{})
	require.NoError(t, err)

	mc, err := client.New(srv.URL, client.WithTokenSource(ts))
	require.NoError(t, err)
	_, err = mc.Agents.Get(ctx, "echoAgent")
	require.NoError(t, err)

	_, err = ts.SwitchOrganization(ctx, "org_B")
	require.NoError(t, err)
	_, err = mc.Agents.Get(ctx, "echoAgent")
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"org_A", "org_B"}, seenOrgs, "the switch takes effect with the next request")
}
