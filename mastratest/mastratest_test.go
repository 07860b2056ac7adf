package mastratest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
)

func TestScriptedAgent(t *testing.T) {
	srv := mastratest.NewServer(mastratest.WithAgents(mastratest.Agent{
		ID: "shout",
		Tools: []mastratest.Tool{{ID: "upper", Execute: func(args json.RawMessage) (any, error) {
			var in struct{ S string }
			_ = json.Unmarshal(args, &in)
			return strings.ToUpper(in.S), nil
		}}},
		Respond: func(prompt string) mastratest.Reply {
			return mastratest.Reply{ToolCalls: []mastratest.ToolCall{{Tool: "upper", Args: map[string]string{"s": prompt}}}, Text: "done"}
		},
	}))
	defer srv.Close()
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	list, err := mc.Agents.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, list, 1, "WithAgents replaces the demo agents")
	res, err := mc.Agents.Generate(context.Background(), "shout", agents.GenerateParams{Messages: agents.Text("hey")})
	require.NoError(t, err)
	assert.Equal(t, "done", res.Text)
	require.Len(t, res.ToolResults, 1)
	assert.JSONEq(t, `"HEY"`, string(res.ToolResults[0].Result))
}

func TestFaultsAndCalls(t *testing.T) {
	srv := mastratest.NewServer()
	defer srv.Close()
	path := "/api/agents/echoAgent/generate"
	srv.InjectFault(mastratest.Fault{Path: path, Status: 503, RetryAfter: time.Millisecond, Count: 2})
	mc, err := client.New(srv.URL, client.WithBackoff(time.Millisecond, time.Millisecond), client.WithMaxRetryAfter(time.Millisecond))
	require.NoError(t, err)
	res, err := mc.Agents.Generate(context.Background(), "echoAgent", agents.GenerateParams{Messages: agents.Text("x")})
	require.NoError(t, err, "503 is retried even for agent runs")
	assert.Equal(t, "You said: x", res.Text)
	assert.Equal(t, 3, srv.Calls(path))

	srv.InjectFault(mastratest.Fault{Path: path, Status: 500, Body: `{"error":"injected"}`, Count: 1})
	_, err = mc.Agents.Generate(context.Background(), "echoAgent", agents.GenerateParams{Messages: agents.Text("x")})
	var apiErr *mastra.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "injected", apiErr.Message)

	srv.InjectFault(mastratest.Fault{Path: "/api/agents/echoAgent/stream", Count: 1}) // drop the connection
	_, err = mc.Agents.Stream(context.Background(), "echoAgent", agents.GenerateParams{Messages: agents.Text("x")})
	require.Error(t, err, "a dropped connection after sending is not retried for a run")
	assert.Equal(t, 1, srv.Calls("/api/agents/echoAgent/stream"))
}

func TestChunkDelayAndCancel(t *testing.T) {
	srv := mastratest.NewServer(mastratest.WithChunkDelay(20 * time.Millisecond))
	defer srv.Close()
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	st, err := mc.Agents.Stream(ctx, "weatherAgent", agents.GenerateParams{Messages: agents.Text("weather in Oslo")})
	require.NoError(t, err)
	res, err := st.Collect()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Positive(t, res.Chunks)
	assert.Empty(t, res.FinishReason)
}
