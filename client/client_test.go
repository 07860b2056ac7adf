package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
)

const token = "tok-SECRET-123"

func fast() []client.Option {
	return []client.Option{client.WithBackoff(time.Millisecond, 5*time.Millisecond)}
}

func TestNewValidates(t *testing.T) {
	for _, bad := range []string{"", "  ", "ftp://x", "127.0.0.1:4111", "http://", "http://user:pw@host", "http://h/?q=1", "http://h/#f", "http://h\x7f"} {
		_, err := client.New(bad)
		require.Error(t, err, "%q", bad)
		assert.NotContains(t, err.Error(), "pw@", "no user info in errors")
	}
	for _, opt := range []client.Option{
		client.WithMaxRetries(-1), client.WithBackoff(time.Second, time.Millisecond), client.WithAPIPrefix("/a/../b"),
		client.WithAPIPrefix("/a?x"), client.WithHTTPClient(nil), client.WithTransport(nil), client.WithTokenSource(nil),
		client.WithHeader("", "v"), client.WithMaxRetryAfter(-1), client.WithResponseHeaderTimeout(-1),
	} {
		_, err := client.New("http://127.0.0.1:1", opt)
		assert.Error(t, err)
	}
	mc, err := client.New("http://127.0.0.1:4111/base/")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:4111/base", mc.BaseURL().String())
}

// recorder is a server that records requests and answers with the
// statuses given, in turn (200 {} after they run out).
type recorder struct {
	srv      *httptest.Server
	hits     atomic.Int32
	headers  []http.Header
	paths    []string
	statuses []int
	bodies   []string
}

func newRecorder(t *testing.T, statuses []int, bodies ...string) *recorder {
	r := &recorder{statuses: statuses, bodies: bodies}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i := int(r.hits.Add(1)) - 1
		r.headers = append(r.headers, req.Header.Clone())
		r.paths = append(r.paths, req.URL.Path)
		status, body := 200, `{"text":"ok"}`
		if i < len(r.statuses) {
			status = r.statuses[i]
			body = `{"error":"boom"}`
		}
		if i < len(r.bodies) {
			body = r.bodies[i]
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestHeadersPrefixAndToken(t *testing.T) {
	rec := newRecorder(t, nil, `{"a":{"name":"A"}}`)
	mc, err := client.New(rec.srv.URL+"/mastra", client.WithAPIPrefix("//v1//api/"), client.WithToken(token),
		client.WithHeader("X-Tenant", "t1"), client.WithUserAgent("app/1"))
	require.NoError(t, err)
	list, err := mc.Agents.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "a", list[0].ID)
	assert.Equal(t, "/mastra/v1/api/agents", rec.paths[0])
	h := rec.headers[0]
	assert.Equal(t, "Bearer "+token, h.Get("Authorization"))
	assert.Equal(t, "t1", h.Get("X-Tenant"))
	assert.Equal(t, "app/1", h.Get("User-Agent"))
}

func TestDefaultUserAgent(t *testing.T) {
	rec := newRecorder(t, nil, `{}`)
	mc, err := client.New(rec.srv.URL)
	require.NoError(t, err)
	_, err = mc.Agents.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "mastra-go/"+mastra.Version, rec.headers[0].Get("User-Agent"))
	assert.Empty(t, rec.headers[0].Get("Authorization"))
}

func TestGetRetriesTransientFailures(t *testing.T) {
	rec := newRecorder(t, []int{503, 500, 429}, "", "", "", `{}`)
	mc, err := client.New(rec.srv.URL, fast()...)
	require.NoError(t, err)
	_, err = mc.Agents.List(context.Background(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 4, rec.hits.Load())
}

func TestFinalFailureKeepsStatusAndBody(t *testing.T) {
	rec := newRecorder(t, []int{502, 502, 502, 502, 502})
	mc, err := client.New(rec.srv.URL, fast()...)
	require.NoError(t, err)
	_, err = mc.Agents.List(context.Background(), nil)
	var apiErr *mastra.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, "boom", apiErr.Message)
	assert.JSONEq(t, `{"error":"boom"}`, string(apiErr.Body))
	assert.EqualValues(t, 4, rec.hits.Load(), "1 attempt + 3 retries")
	assert.NotContains(t, err.Error(), "giving up")
}

func TestAgentRunIsNotRetriedAfterServerSawIt(t *testing.T) {
	rec := newRecorder(t, []int{500})
	mc, err := client.New(rec.srv.URL, fast()...)
	require.NoError(t, err)
	_, err = mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	assert.True(t, mastra.IsServerError(err))
	assert.EqualValues(t, 1, rec.hits.Load(), "a 500 on generate may have run the agent: no retry")
}

func TestAgentRunRetriedWhereServerCannotHaveRunIt(t *testing.T) {
	rec := newRecorder(t, []int{503, 429})
	mc, err := client.New(rec.srv.URL, fast()...)
	require.NoError(t, err)
	res, err := mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	require.NoError(t, err)
	assert.Equal(t, "ok", res.Text)
	assert.EqualValues(t, 3, rec.hits.Load())
}

func TestAgentRunRetryOptIn(t *testing.T) {
	rec := newRecorder(t, []int{500, 502})
	mc, err := client.New(rec.srv.URL, append(fast(), client.WithRetryAgentRuns())...)
	require.NoError(t, err)
	_, err = mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	require.NoError(t, err)
	assert.EqualValues(t, 3, rec.hits.Load())
}

func TestAgentRunRetriedOnConnectionRefused(t *testing.T) {
	// Reserve a port, close it, and start the server there after a failed dial.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	mc, err := client.New("http://"+addr, client.WithBackoff(50*time.Millisecond, 50*time.Millisecond),
		client.WithToken(token), client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	started := make(chan struct{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			close(started)
			return
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"text":"late"}`)
		})}
		close(started)
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}()
	res, err := mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	<-started
	require.NoError(t, err)
	assert.Equal(t, "late", res.Text)
	assert.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), token, "no token in log lines")
}

func TestContextCancelStopsRetries(t *testing.T) {
	rec := newRecorder(t, []int{503, 503, 503, 503})
	mc, err := client.New(rec.srv.URL, client.WithBackoff(time.Hour, time.Hour))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = mc.Agents.List(ctx, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, context.DeadlineExceeded, err, "a cancelled context yields ctx.Err()")
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL, client.WithMaxRetryAfter(10*time.Millisecond))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { _, err := mc.Agents.List(context.Background(), nil); done <- err }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Retry-After was not capped")
	}
	assert.EqualValues(t, 2, hits.Load())
}

func TestPlainTextError(t *testing.T) {
	srv := mastratest.NewServer()
	defer srv.Close()
	mc, err := client.New(srv.URL, client.WithAPIPrefix("/nope"))
	require.NoError(t, err)
	_, err = mc.Agents.List(context.Background(), nil)
	var apiErr *mastra.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, "404 Not Found", apiErr.Message)
	assert.True(t, mastra.IsNotFound(err))
}

func TestNoTokenInErrors(t *testing.T) {
	srv := mastratest.NewServer(mastratest.WithTokenCheck(func(ctx context.Context, tok string) error {
		return errors.New("rejected " + tok)
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL, client.WithToken(token))
	require.NoError(t, err)
	_, err = mc.Agents.Get(context.Background(), "echoAgent")
	require.True(t, mastra.IsUnauthorized(err))
	assert.NotContains(t, err.Error(), token)
	assert.Contains(t, err.Error(), "Invalid or expired token")
}

func TestHealthAndCustomHTTPClient(t *testing.T) {
	srv := mastratest.NewServer()
	defer srv.Close()
	hc := &http.Client{}
	mc, err := client.New(srv.URL, client.WithHTTPClient(hc), client.WithToken(token))
	require.NoError(t, err)
	require.NoError(t, mc.Health(context.Background()))
	assert.Nil(t, hc.Transport, "the caller's client is not modified")
	assert.NotSame(t, hc, mc.HTTPClient())
}

func TestNonJSONSuccessIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>proxy login</html>")
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	_, err = mc.Agents.Get(context.Background(), "x")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "decoding") && strings.Contains(err.Error(), "text/html"), err.Error())
}
