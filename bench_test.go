package mastra_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
)

// replay serves a recorded answer from the real test server.
func replay(b *testing.B, fixture, contentType string) (*httptest.Server, []byte) {
	body, err := os.ReadFile("testdata/fixtures/" + fixture)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv, body
}

// BenchmarkGenerate compares the SDK's Generate with the same call done by
// hand with net/http and encoding/json, decoding into the same struct.
func BenchmarkGenerate(b *testing.B) {
	srv, _ := replay(b, "generate-weather.json", "application/json")
	params := agents.GenerateParams{Messages: agents.Text("What is the weather in Paris?")}

	b.Run("sdk", func(b *testing.B) {
		mc, err := client.New(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			res, err := mc.Agents.Generate(ctx, "weatherAgent", params)
			if err != nil || res.Text == "" {
				b.Fatal(err)
			}
		}
	})

	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			body, _ := json.Marshal(params)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/agents/weatherAgent/generate", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp.StatusCode)
			}
			var res agents.GenerateResult
			if err := json.Unmarshal(raw, &res); err != nil || res.Text == "" {
				b.Fatal(err)
			}
			res.Raw = raw
		}
	})
}

// memoryTransport answers every request with a recorded event stream from
// memory, so the benchmark measures decoding, not the network.
type memoryTransport struct{ body []byte }

func (t memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: req, ContentLength: -1,
	}, nil
}

// BenchmarkStreamDecode decodes a recorded real stream (repeated to about
// 1 MB) through the SDK's Stream: SSE framing, chunk JSON and the
// accessors a caller uses. It reports MB/s and allocations per chunk.
func BenchmarkStreamDecode(b *testing.B) {
	one, err := os.ReadFile("testdata/fixtures/stream-weather.sse")
	if err != nil {
		b.Fatal(err)
	}
	frames := strings.TrimSuffix(string(one), "data: [DONE]\n\n")
	perCopy := strings.Count(frames, "\n\ndata: ") + 1
	copies := (1 << 20) / len(frames)
	body := []byte(strings.Repeat(frames, copies) + "data: [DONE]\n\n")
	chunksPerOp := perCopy * copies

	mc, err := client.New("http://127.0.0.1:1", client.WithTransport(memoryTransport{body}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	params := agents.GenerateParams{Messages: agents.Text("x")}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := mc.Agents.Stream(ctx, "weatherAgent", params)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for c, err := range st.Chunks() {
			if err != nil {
				b.Fatal(err)
			}
			n++
			c.TextDelta()
		}
		if n != chunksPerOp {
			b.Fatalf("got %d chunks, want %d", n, chunksPerOp)
		}
	}
	b.ReportMetric(float64(chunksPerOp), "chunks/op")
}
