package workosauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// vtMeHandler answers the user in the request context as JSON.
var vtMeHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	u, ok := workosauth.UserFromContext(r.Context())
	if !ok {
		http.Error(w, "no user", http.StatusTeapot)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(u)
})

func vtDo(t testing.TB, h http.Handler, method, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func vtAuth(v ...string) http.Header { return http.Header{"Authorization": v} }

func TestMiddlewareAnswersLikeMastra(t *testing.T) {
	f := newVTFake(t)
	var logs bytes.Buffer
	a := f.authenticator(t, workosauth.AuthenticatorConfig{
		PublicPaths: []string{"/health", "/public/*"},
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	h := a.Middleware(vtMeHandler)
	good := f.token(t, workostest.Claims{Subject: f.ada.ID})
	expired := f.token(t, workostest.Claims{Subject: f.ada.ID, ExpiresAt: f.clock.Now().Add(-1)})
	ghost := f.token(t, workostest.Claims{Subject: "user_01GHOST"})
	parts := strings.Split(good, ".")

	refused := []struct {
		name   string
		header http.Header
		www    string
	}{
		{"missing header", nil, "Bearer"},
		{"empty header", vtAuth(""), "Bearer"},
		{"wrong scheme", vtAuth("Basic " + good), "Bearer"},
		{"raw token", vtAuth(good), "Bearer"},
		{"scheme only", vtAuth("Bearer"), "Bearer"},
		{"scheme and space", vtAuth("Bearer "), "Bearer"},
		{"two tokens", vtAuth("Bearer " + good + " " + good), "Bearer"},
		{"two headers", vtAuth("Bearer "+good, "Bearer "+good), "Bearer"},
		{"garbage", vtAuth("Bearer garbage"), `Bearer error="invalid_token"`},
		{"two parts", vtAuth("Bearer " + parts[0] + "." + parts[1]), `Bearer error="invalid_token"`},
		{"tampered", vtAuth("Bearer " + parts[0] + "." + parts[1] + "x." + parts[2]), `Bearer error="invalid_token"`},
		{"expired", vtAuth("Bearer " + expired), `Bearer error="invalid_token"`},
		{"unknown user", vtAuth("Bearer " + ghost), `Bearer error="invalid_token"`},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			rec := vtDo(t, h, http.MethodGet, "/api/me", tc.header)
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Equal(t, `{"error":"Invalid or expired token"}`, rec.Body.String())
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			require.Equal(t, tc.www, rec.Header().Get("WWW-Authenticate"))
		})
	}

	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		rec := vtDo(t, h, http.MethodGet, "/api/me", vtAuth(scheme+" "+good))
		require.Equal(t, http.StatusOK, rec.Code, scheme)
		var u map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &u))
		require.Equal(t, "user_01ADA", u["id"])
		require.Equal(t, "user_01ADA", u["workosId"])
		require.Equal(t, "Ada Lovelace", u["name"])
	}

	// Public paths need no token; cleaned paths cannot sneak out of them.
	for path, want := range map[string]int{
		"/health": http.StatusTeapot, "/public": http.StatusTeapot, "/public/x/y": http.StatusTeapot,
		"/healthz": http.StatusUnauthorized, "/public/../api/me": http.StatusUnauthorized, "/publicity": http.StatusUnauthorized,
	} {
		require.Equal(t, want, vtDo(t, h, http.MethodGet, path, nil).Code, path)
	}

	require.Contains(t, logs.String(), "refused request")
	vtRequireNoTokenIn(t, logs.String(), good)
	vtRequireNoTokenIn(t, logs.String(), expired)
	vtRequireNoTokenIn(t, logs.String(), ghost)
}

func TestMiddlewareAuthorizeUser(t *testing.T) {
	f := newVTFake(t)
	var logs bytes.Buffer
	a := f.authenticator(t, workosauth.AuthenticatorConfig{
		TrustJWTClaims: true,
		Logger:         slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		AuthorizeUser: func(ctx context.Context, u *workosauth.User, r *http.Request) (bool, error) {
			switch u.Claims["role"] {
			case "admin":
				return true, nil
			case "broken":
				return false, errors.New("policy store down")
			}
			return false, nil
		},
	})
	h := a.Middleware(vtMeHandler)
	do := func(role string) *httptest.ResponseRecorder {
		tok := f.token(t, workostest.Claims{Subject: f.ada.ID, Role: role})
		return vtDo(t, h, http.MethodPost, "/api/x", vtAuth("Bearer "+tok))
	}
	require.Equal(t, http.StatusOK, do("admin").Code)

	rec := do("member")
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Equal(t, `{"error":"Access denied"}`, rec.Body.String())
	require.Empty(t, rec.Header().Get("WWW-Authenticate"))

	rec = do("broken")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, `{"error":"Authorization error"}`, rec.Body.String())
	require.Contains(t, logs.String(), "policy store down")
}

func TestMiddlewareKeySetDown(t *testing.T) {
	f := newVTFake(t)
	a := f.authenticator(t, workosauth.AuthenticatorConfig{TrustJWTClaims: true})
	h := a.Middleware(vtMeHandler)
	tok := f.token(t, workostest.Claims{Subject: f.ada.ID})

	f.InjectFault(workostest.Fault{Path: "/sso/jwks/", Status: http.StatusServiceUnavailable})
	require.Equal(t, http.StatusUnauthorized, vtDo(t, h, http.MethodGet, "/", vtAuth("Bearer "+tok)).Code, "cold")

	f.ClearFaults()
	f.clock.Add(workosauth.DefaultKeyRefetchCooldown)
	require.Equal(t, http.StatusOK, vtDo(t, h, http.MethodGet, "/", vtAuth("Bearer "+tok)).Code)

	f.InjectFault(workostest.Fault{Path: "/sso/jwks/", CloseConnection: true})
	f.clock.Add(workosauth.DefaultKeyRefreshInterval)
	tok = f.token(t, workostest.Claims{Subject: f.ada.ID})
	require.Equal(t, http.StatusOK, vtDo(t, h, http.MethodGet, "/", vtAuth("Bearer "+tok)).Code, "warm: cached keys still work")
}

func TestContextWithUser(t *testing.T) {
	_, ok := workosauth.UserFromContext(context.Background())
	require.False(t, ok)
	ctx := workosauth.ContextWithUser(context.Background(), &workosauth.User{ID: "u"})
	u, ok := workosauth.UserFromContext(ctx)
	require.True(t, ok)
	require.Equal(t, "u", u.ID)
	rec := httptest.NewRecorder()
	vtMeHandler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	body, _ := io.ReadAll(rec.Body)
	require.JSONEq(t, `{"id":"u","workosId":""}`, string(body))
}
