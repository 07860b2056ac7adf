package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func signinEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestSignInDemo(t *testing.T) {
	var stderr bytes.Buffer
	ts, check, cleanup, err := signIn(context.Background(), &stderr, signinEnv(nil), true, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if ts == nil || check == nil {
		t.Fatal("demo returned no token source or check")
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if err := check(context.Background(), tok.AccessToken); err != nil {
		t.Fatalf("the demo check refuses the demo token: %v", err)
	}
	if err := check(context.Background(), "not.a.token"); err == nil {
		t.Fatal("the demo check accepts garbage")
	}
	if !strings.Contains(stderr.String(), "demo@example.com") || strings.Contains(stderr.String(), tok.AccessToken) {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestSignInNothingConfigured(t *testing.T) {
	ts, check, cleanup, err := signIn(context.Background(), &bytes.Buffer{}, signinEnv(nil), false, "")
	if ts != nil || check != nil || cleanup == nil || err != nil {
		t.Fatalf("got %v %v %v %v", ts, check != nil, cleanup != nil, err)
	}
	cleanup()
	for _, vars := range []map[string]string{{"WORKOS_API_KEY": "sk"}, {"WORKOS_CLIENT_ID": "client"}} {
		if _, _, cleanup, err := signIn(context.Background(), &bytes.Buffer{}, signinEnv(vars), false, ""); err == nil || cleanup == nil {
			t.Errorf("%v: half the WorkOS settings accepted", vars)
		}
	}
	if _, _, _, err := signIn(context.Background(), &bytes.Buffer{}, signinEnv(nil), true, "somecode"); err == nil {
		t.Error("-code without WorkOS settings accepted")
	}
}

// With WorkOS settings pointing at a WorkOS (here the fake, through
// WORKOS_API_URL), -code is exchanged.
func TestSignInWithCode(t *testing.T) {
	fake := workostest.New()
	defer fake.Close()
	u := fake.AddUser(workostest.User{Email: "ada@example.com"})
	code, err := fake.NewCode(u.ID, workostest.CodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"WORKOS_API_KEY": fake.APIKey, "WORKOS_CLIENT_ID": fake.ClientID, "WORKOS_API_URL": fake.URL}
	var stderr bytes.Buffer
	ts, check, cleanup, err := signIn(context.Background(), &stderr, signinEnv(vars), true, code)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if ts == nil || check != nil {
		t.Fatal("want a token source and no check")
	}
	tok, err := ts.Token()
	if err != nil || tok.AccessToken == "" {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "ada@example.com") {
		t.Errorf("stderr = %q", stderr.String())
	}
	// A used code is a one-line error without the code in it.
	_, _, _, err = signIn(context.Background(), &stderr, signinEnv(vars), true, code)
	if err == nil || strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err = %v", err)
	}
}

// The whole example runs with no environment at all: fake WorkOS issues
// the code, the SDK exchanges it, the demo Mastra server checks the token.
func TestRunWithDemoSignIn(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), nil, &stdout, &stderr, signinEnv(nil)); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Paris") || !strings.Contains(stderr.String(), "fake WorkOS") {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
}
