package agents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
)

// replayTransport answers every request with one recorded body.
type replayTransport struct {
	contentType string
	body        []byte
}

func (t replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {t.contentType}},
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: req, ContentLength: int64(len(t.body))}, nil
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", name))
	require.NoError(t, err)
	return b
}

func replayClient(t *testing.T, contentType string, body []byte) *client.MastraClient {
	mc, err := client.New("http://127.0.0.1:1", client.WithTransport(replayTransport{contentType, body}))
	require.NoError(t, err)
	return mc
}

// The recorded streams of the real server decode completely.
func TestRecordedStreams(t *testing.T) {
	for name, want := range map[string]struct {
		text, finish string
		tools        int
		err          bool
	}{
		"stream-weather.sse":             {"The weather in Tokyo is sunny with a temperature of 21°C.", "stop", 1, false},
		"stream-echo.sse":                {"You said: Hello there, peer", "stop", 0, false},
		"stream-error.sse":               {"", "", 0, true},
		"memory-stream-thread.sse":       {"You said: third turn", "stop", 0, false},
		"approval-stream-suspended.sse":  {"", "", 1, false},
		"approval-approve-tool-call.sse": {"Record rec-42 was deleted.", "stop", 0, false},
		"approval-decline-tool-call.sse": {"Record rec-7 was not deleted.", "stop", 0, false},
	} {
		t.Run(name, func(t *testing.T) {
			mc := replayClient(t, "text/event-stream", fixture(t, name))
			st, err := mc.Agents.Stream(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("x")})
			require.NoError(t, err)
			res, err := st.Collect()
			if want.err {
				var se *agents.StreamError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, "mock model failure (requested with __mock_error__)", se.Message)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want.text, res.Text)
			assert.Equal(t, want.finish, res.FinishReason)
			assert.Len(t, res.ToolCalls, want.tools)
			assert.NotEmpty(t, res.RunID)
		})
	}
}

// The recorded generate answers decode, and keep every field in Raw.
func TestRecordedGenerateAnswers(t *testing.T) {
	for name, want := range map[string]struct{ text, finish string }{
		"generate-weather.json":                    {"The weather in Paris is sunny with a temperature of 21°C.", "stop"},
		"generate-echo.json":                       {"You said: Hello there", "stop"},
		"memory-generate-thread-2.json":            {"You said: second turn", "stop"},
		"approval-generate-suspended.json":         {"", "suspended"},
		"approval-approve-tool-call-generate.json": {"Record rec-9 was deleted.", "stop"},
		"approval-decline-tool-call-generate.json": {"Record rec-10 was not deleted.", "stop"},
	} {
		t.Run(name, func(t *testing.T) {
			body := fixture(t, name)
			mc := replayClient(t, "application/json", body)
			res, err := mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("x")})
			require.NoError(t, err)
			assert.Equal(t, want.text, res.Text)
			assert.Equal(t, want.finish, res.FinishReason)
			assert.NotEmpty(t, res.RunID)
			assert.Equal(t, body, []byte(res.Raw))
			if want.finish == "suspended" {
				assert.Contains(t, string(res.SuspendPayload), `"resumeSchema"`)
			}
		})
	}
}

func TestRecordedAgent(t *testing.T) {
	mc := replayClient(t, "application/json", fixture(t, "agents-list.json"))
	list, err := mc.Agents.List(context.Background(), nil)
	require.NoError(t, err)
	var ids []string
	for _, a := range list {
		ids = append(ids, a.ID)
		for _, tool := range a.Tools {
			assert.True(t, json.Valid(tool.InputSchema), "%s/%s", a.ID, tool.ID)
		}
	}
	assert.Equal(t, []string{"approvalAgent", "echoAgent", "weatherAgent"}, ids)
}
