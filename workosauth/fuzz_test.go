package workosauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/mastra-community/mastra-go/workosauth"
)

// FuzzVerify feeds arbitrary tokens to a warm Verifier. It must never panic,
// must refuse with a *TokenError whose text holds no part of the token, and
// must accept only the tokens that were really signed.
func FuzzVerify(f *testing.F) {
	j := newVTJWKS(f)
	v := j.verifier(f, newVTClock(), workosauth.VerifierConfig{KeyRefetchCooldown: 1 << 62})
	key := vtRSAKeys()[0]
	valid := []string{vtSign(f, key, "key_1", vtClaims())}
	c := vtClaims()
	c["aud"] = []string{"a", "b"}
	c["nbf"] = vtEpoch.Unix()
	c["act"] = map[string]any{"sub": "admin@example.com"}
	valid = append(valid, vtSign(f, key, "key_1", c))
	for _, tok := range valid {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(vtB64(map[string]string{"alg": "none"}) + "." + parts[1] + ".")
		f.Add(vtB64(map[string]string{"alg": "HS256", "kid": "key_1"}) + "." + parts[1] + "." + parts[2])
		f.Add(parts[0] + "." + vtB64(map[string]any{"exp": 1e300}) + "." + parts[2])
	}
	f.Add("")
	f.Add("..")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiIxIn0.AA")
	f.Fuzz(func(t *testing.T, token string) {
		vt, err := v.Verify(context.Background(), token)
		if err == nil {
			if !slices.Contains(valid, token) {
				t.Fatalf("accepted a token that was never signed: %q", token)
			}
			if vt.Subject != "user_01ALICE" {
				t.Fatalf("subject %q", vt.Subject)
			}
			return
		}
		var te *workosauth.TokenError
		if !errors.As(err, &te) {
			t.Fatalf("error %T is not a *TokenError: %v", err, err)
		}
		for _, part := range strings.Split(token, ".") {
			if len(part) >= 8 && strings.Contains(err.Error(), part) {
				t.Fatalf("error %q contains token text", err)
			}
		}
	})
}

// FuzzMiddlewareHeader feeds arbitrary Authorization headers through the
// middleware: only 200 (a valid token) or 401 may come back.
func FuzzMiddlewareHeader(f *testing.F) {
	j := newVTJWKS(f)
	v := j.verifier(f, newVTClock(), workosauth.VerifierConfig{KeyRefetchCooldown: 1 << 62})
	a, err := workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{Verifier: v, TrustJWTClaims: true})
	if err != nil {
		f.Fatal(err)
	}
	h := a.Middleware(vtMeHandler)
	tok := vtSign(f, vtRSAKeys()[0], "key_1", vtClaims())
	for _, s := range []string{"Bearer " + tok, "bearer  " + tok, "Bearer " + tok + " ", "Basic " + tok, tok, "Bearer", "", "Bearer \t" + tok} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		req.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusUnauthorized:
		default:
			t.Fatalf("status %d for %q", rec.Code, header)
		}
	})
}
