package agents_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
)

const (
	frameStart = `data: {"type":"start","runId":"r1","from":"AGENT","payload":{"id":"a"}}` + "\n\n"
	frameDelta = `data: {"type":"text-delta","runId":"r1","from":"AGENT","payload":{"id":"t","text":"Hel"}}` + "\n\n"
	frameDelt2 = `data: {"type":"text-delta","runId":"r1","from":"AGENT","payload":{"id":"t","text":"lo"}}` + "\n\n"
	frameFin   = `data: {"type":"finish","runId":"r1","from":"AGENT","payload":{"stepResult":{"reason":"stop"},"output":{"usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5}}}}` + "\n\n"
	frameDone  = "data: [DONE]\n\n"
)

// sseServer answers every request with handler, which writes raw SSE.
func sseServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) *client.MastraClient {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	return mc
}

func write(w http.ResponseWriter, frames ...string) {
	for _, f := range frames {
		io.WriteString(w, f)
		w.(http.Flusher).Flush()
	}
}

// cut writes frames and then drops the connection without ending the
// chunked body.
func cut(w http.ResponseWriter, frames ...string) {
	write(w, frames...)
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err == nil {
		buf.Flush()
		conn.Close()
	}
}

func stream(t *testing.T, mc *client.MastraClient) *agents.Stream {
	st, err := mc.Agents.Stream(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	require.NoError(t, err)
	return st
}

func TestStreamEnds(t *testing.T) {
	for name, frames := range map[string][]string{
		"[DONE]":        {frameStart, frameDelta, frameDelt2, frameFin, frameDone},
		"clean EOF":     {frameStart, frameDelta, frameDelt2, frameFin},
		"CRLF+comments": {": connected\r\n\r\n", "data: {\"type\":\"text-delta\",\"runId\":\"r1\",\r\ndata: \"payload\":{\"text\":\"Hel\"}}\r\n\r\n", frameDelt2, frameFin, frameDone},
	} {
		t.Run(name, func(t *testing.T) {
			mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) { write(w, frames...) })
			res, err := stream(t, mc).Collect()
			require.NoError(t, err)
			assert.Equal(t, "Hello", res.Text)
			assert.Equal(t, "stop", res.FinishReason)
			assert.Equal(t, agents.Usage{InputTokens: 3, OutputTokens: 2, TotalTokens: 5}, res.Usage)
			assert.Equal(t, "r1", res.RunID)
		})
	}
}

func TestStreamCutIsAnError(t *testing.T) {
	for name, frames := range map[string][]string{
		"between frames": {frameStart, frameDelta},
		"inside a frame": {frameStart, frameDelta[:30]},
	} {
		t.Run(name, func(t *testing.T) {
			mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) { cut(w, frames...) })
			res, err := stream(t, mc).Collect()
			require.Error(t, err)
			assert.ErrorIs(t, err, agents.ErrTruncated, "a cut connection is never a short answer: %v", err)
			assert.Equal(t, "Hel"[:len(res.Text)], res.Text)
		})
	}
}

func TestStreamErrorChunk(t *testing.T) {
	errFrame := `data: {"type":"error","runId":"r1","from":"AGENT","payload":{"type":"error","error":{"message":"model down","name":"Error","stack":"at x"}}}` + "\n\n"
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) { write(w, frameStart, errFrame, frameFin, frameDone) })
	var chunks []string
	var got error
	for c, err := range stream(t, mc).Chunks() {
		chunks = append(chunks, c.Type)
		got = err
	}
	var se *agents.StreamError
	require.ErrorAs(t, got, &se)
	assert.Equal(t, "model down", se.Message)
	assert.Equal(t, "Error", se.Name)
	assert.Equal(t, "r1", se.RunID)
	assert.Equal(t, []string{"start", "error"}, chunks, "the error chunk ends the iteration")
	assert.NotContains(t, got.Error(), "at x", "no stack in the message")
}

func TestStreamMalformedChunk(t *testing.T) {
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) { write(w, frameStart, "data: {not json\n\n", frameDone) })
	_, err := stream(t, mc).Collect()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a valid JSON object")
}

func TestStreamDeliversEachFrameAtOnce(t *testing.T) {
	release := make(chan struct{})
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) {
		write(w, frameStart)
		<-release
		write(w, frameDone)
	})
	st := stream(t, mc)
	got := make(chan string, 1)
	go func() {
		for c, err := range st.Chunks() {
			if err == nil {
				got <- c.Type
			}
		}
		close(got)
	}()
	select {
	case typ := <-got:
		assert.Equal(t, "start", typ)
	case <-time.After(5 * time.Second):
		t.Fatal("the first chunk was held back until more data came")
	}
	close(release)
	for range got {
	}
}

func TestStreamContextCancel(t *testing.T) {
	closed := make(chan struct{})
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) {
		write(w, frameStart)
		<-r.Context().Done()
		close(closed)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := mc.Agents.Stream(ctx, "a", agents.GenerateParams{Messages: agents.Text("hi")})
	require.NoError(t, err)
	var last error
	n := 0
	for _, err := range st.Chunks() {
		n++
		if n == 1 {
			cancel()
		}
		last = err
	}
	assert.ErrorIs(t, last, context.Canceled)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stayed open after cancellation")
	}
}

func TestStreamBreakClosesAndCloseIsIdempotent(t *testing.T) {
	closed := make(chan struct{})
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) {
		write(w, frameStart, frameDelta)
		<-r.Context().Done()
		close(closed)
	})
	st := stream(t, mc)
	for range st.Chunks() {
		break
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("breaking out of the loop did not close the connection")
	}
	assert.NoError(t, st.Close())
	assert.NoError(t, st.Close())
	for _, err := range st.Chunks() {
		assert.ErrorIs(t, err, agents.ErrStreamConsumed)
	}
}

func TestStreamHTTPErrorsBeforeIteration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"Invalid or expired token"}`)
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	_, err = mc.Agents.Stream(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	assert.True(t, mastra.IsUnauthorized(err))
}

func TestStreamWrongContentType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"text":"not a stream"}`)
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	_, err = mc.Agents.Stream(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("hi")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not an event stream")
}

func TestChunkAccessors(t *testing.T) {
	frames := []string{
		`data: {"type":"tool-call","runId":"r","from":"AGENT","payload":{"toolCallId":"c","toolName":"w","args":{"location":"Paris"}}}` + "\n\n",
		`data: {"type":"tool-result","runId":"r","from":"AGENT","payload":{"toolCallId":"c","toolName":"w","result":{"t":21}}}` + "\n\n",
		`data: {"type":"step-finish","runId":"r","from":"AGENT","payload":{"stepResult":{"reason":"tool-calls","isContinued":true},"output":{"usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}}}` + "\n\n",
		`data: {"type":"object","object":{"partial":true}}` + "\n\n",
		frameDone,
	}
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) { write(w, frames...) })
	var types []string
	for c, err := range stream(t, mc).Chunks() {
		require.NoError(t, err)
		types = append(types, c.Type)
		switch c.Type {
		case "tool-call":
			tc, ok := c.ToolCall()
			require.True(t, ok)
			assert.JSONEq(t, `{"location":"Paris"}`, string(tc.Args))
			_, ok = c.TextDelta()
			assert.False(t, ok)
		case "tool-result":
			tr, ok := c.ToolResult()
			require.True(t, ok)
			assert.JSONEq(t, `{"t":21}`, string(tr.Result))
		case "step-finish":
			sf, ok := c.StepFinish()
			require.True(t, ok)
			assert.Equal(t, agents.StepFinish{Reason: "tool-calls", IsContinued: true, Usage: agents.Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2}}, sf)
		case "object":
			assert.Nil(t, c.Payload)
			assert.Contains(t, string(c.Raw), `"partial":true`, "chunks without payload keep their data in Raw")
		}
	}
	assert.Equal(t, []string{"tool-call", "tool-result", "step-finish", "object"}, types)
}

// A line far longer than any buffer still arrives whole.
func TestStreamLongChunk(t *testing.T) {
	long := make([]byte, 3<<20)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	mc := sseServer(t, func(w http.ResponseWriter, r *http.Request) {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `data: {"type":"text-delta","runId":"r","from":"AGENT","payload":{"text":"%s"}}`+"\n\n", long)
		bw.WriteString(frameDone)
		bw.Flush()
	})
	res, err := stream(t, mc).Collect()
	require.NoError(t, err)
	assert.Equal(t, string(long), res.Text)
}
