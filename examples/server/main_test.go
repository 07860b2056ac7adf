package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestDemoMode(t *testing.T) {
	var logs bytes.Buffer
	a, err := newApp(noEnv, &logs)
	require.NoError(t, err)
	defer a.close()
	require.NotEmpty(t, a.demoToken)
	srv := httptest.NewServer(a.handler())
	defer srv.Close()

	do := func(method, path, token, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	code, _ := do("GET", "/health", "", "")
	require.Equal(t, http.StatusOK, code)

	code, body := do("GET", "/api/me", "", "")
	require.Equal(t, http.StatusUnauthorized, code)
	require.Equal(t, `{"error":"Invalid or expired token"}`, body)

	code, body = do("GET", "/api/me", a.demoToken, "")
	require.Equal(t, http.StatusOK, code, body)
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &me))
	require.Equal(t, "user_01DEMOADA", me["id"])
	require.Equal(t, "user_01DEMOADA", me["workosId"])
	require.Equal(t, "ada@example.com", me["email"])
	require.Equal(t, "Ada Lovelace", me["name"])
	require.Equal(t, "org_01DEMO", me["organizationId"])
	require.Len(t, me["memberships"], 1)

	code, body = do("POST", "/api/ask", a.demoToken, `{"prompt":"What is the weather in Paris?"}`)
	require.Equal(t, http.StatusOK, code, body)
	var ans askResponse
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.Equal(t, "weatherAgent", ans.Agent)
	require.Contains(t, ans.Text, "Paris")

	code, body = do("POST", "/api/ask", a.demoToken, `{"prompt":"hi","agent":"echoAgent"}`)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "hi")

	code, _ = do("POST", "/api/ask", a.demoToken, `{"prompt":"hi","agent":"noSuchAgent"}`)
	require.Equal(t, http.StatusNotFound, code)

	code, _ = do("POST", "/api/ask", a.demoToken, `not json`)
	require.Equal(t, http.StatusBadRequest, code)

	require.NotContains(t, logs.String(), a.demoToken)
}

func TestRunPrintsDemoTokenAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var stderr bytes.Buffer
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	env := func(k string) string {
		if k == "ADDR" {
			return "127.0.0.1:0"
		}
		return ""
	}
	go func() {
		done <- run(ctx, env, lockedWriter{&mu, &stderr}, func(addr string) { addrc <- addr })
	}()
	addr := <-addrc
	resp, err := http.Get("http://" + addr + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	cancel()
	require.NoError(t, <-done)
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, stderr.String(), "demo access token")
	require.Contains(t, stderr.String(), "curl -H \"Authorization: Bearer $TOKEN\" http://"+addr+"/api/me")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
