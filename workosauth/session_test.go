package workosauth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func TestSessionFromTokens(t *testing.T) {
	e := newCTEnv(t)
	exp := e.clock.Now().Add(90 * time.Second)
	access, err := e.fake.AccessToken(workostest.Claims{Subject: e.user.ID, OrganizationID: "org_B", SessionID: "session_42", ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	s, err := workosauth.SessionFromTokens(access, "rt_opaque")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Expiry.Equal(exp) || s.OrganizationID != "org_B" || s.SessionID != "session_42" || s.RefreshToken != "rt_opaque" || !s.IssuedAt.Equal(e.clock.Now()) {
		t.Errorf("session = %v", s)
	}
	for _, bad := range []string{"", "opaque-token", "a.b.c"} {
		if _, err := workosauth.SessionFromTokens(bad, "rt"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A token without exp would never be refreshed: refused.
	noExp, _ := e.fake.AccessToken(workostest.Claims{Subject: e.user.ID, Extra: map[string]any{"exp": nil}})
	if _, err := workosauth.SessionFromTokens(noExp, "rt"); err == nil {
		t.Error("token without exp accepted")
	}
	// fmt never prints the tokens.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		ctNoSecrets(t, fmt.Sprintf(verb, s), access, "rt_opaque")
		ctNoSecrets(t, fmt.Sprintf(verb, *s), access, "rt_opaque")
	}
}
