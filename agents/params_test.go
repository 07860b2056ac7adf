package agents_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
)

// captureBody returns a client whose server records the last request body
// and answers answer.
func captureBody(t *testing.T, answer string) (*client.MastraClient, *[]byte, *string) {
	var body []byte
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		path = r.URL.EscapedPath()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	mc, err := client.New(srv.URL)
	require.NoError(t, err)
	return mc, &body, &path
}

func TestGenerateBody(t *testing.T) {
	mc, body, path := captureBody(t, `{"text":"ok"}`)
	_, err := mc.Agents.Generate(context.Background(), "my/agent", agents.GenerateParams{
		Messages:         agents.Conversation(agents.SystemMessage("be brief"), agents.Message{Role: agents.RoleUser, Parts: []agents.Part{agents.TextPart("look"), agents.ImagePart("https://img", "image/png")}}),
		Memory:           &agents.Memory{Thread: "t1", Resource: "u1"},
		RunID:            "run-1",
		MaxSteps:         3,
		RequestContext:   map[string]any{"tenant": "a"},
		ToolChoice:       agents.ToolChoiceTool("get-weather"),
		ModelSettings:    &agents.ModelSettings{Temperature: new(0.0), MaxOutputTokens: new(100)},
		StructuredOutput: &agents.StructuredOutput{Schema: json.RawMessage(`{"type":"object"}`)},
		Instructions:     "new instructions",
		Extra:            map[string]any{"savePerStep": true, "runId": "loses"},
	})
	require.NoError(t, err)
	assert.Equal(t, "/api/agents/my%2Fagent/generate", *path, "path segments are escaped")
	var got map[string]any
	require.NoError(t, json.Unmarshal(*body, &got))
	assert.Equal(t, []any{
		map[string]any{"role": "system", "content": "be brief"},
		map[string]any{"role": "user", "content": []any{
			map[string]any{"type": "text", "text": "look"},
			map[string]any{"type": "image", "image": "https://img", "mediaType": "image/png"},
		}},
	}, got["messages"])
	assert.Equal(t, map[string]any{"thread": "t1", "resource": "u1"}, got["memory"])
	assert.Equal(t, "run-1", got["runId"], "named fields win over Extra")
	assert.Equal(t, true, got["savePerStep"])
	assert.EqualValues(t, 3, got["maxSteps"])
	assert.Equal(t, map[string]any{"type": "tool", "toolName": "get-weather"}, got["toolChoice"])
	settings := got["modelSettings"].(map[string]any)
	assert.Contains(t, settings, "temperature", "a temperature of 0 must reach the server")
	assert.EqualValues(t, 0, settings["temperature"])
	assert.NotContains(t, settings, "topP")
	assert.Equal(t, map[string]any{"schema": map[string]any{"type": "object"}}, got["structuredOutput"])
}

func TestMinimalBody(t *testing.T) {
	mc, body, _ := captureBody(t, `{"text":"ok"}`)
	_, err := mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Texts("a", "b"), ToolChoice: agents.ToolChoiceNone})
	require.NoError(t, err)
	assert.JSONEq(t, `{"messages":["a","b"],"toolChoice":"none"}`, string(*body))
}

func TestValidationBeforeSending(t *testing.T) {
	mc, body, _ := captureBody(t, `{}`)
	ctx := context.Background()
	for name, p := range map[string]agents.GenerateParams{
		"no messages":    {},
		"empty text":     {Messages: agents.Text("")},
		"memory no id":   {Messages: agents.Text("x"), Memory: &agents.Memory{}},
		"schema missing": {Messages: agents.Text("x"), StructuredOutput: &agents.StructuredOutput{}},
	} {
		_, err := mc.Agents.Generate(ctx, "a", p)
		assert.Error(t, err, name)
		_, err = mc.Agents.Stream(ctx, "a", p)
		assert.Error(t, err, name)
	}
	_, err := mc.Agents.Generate(ctx, "", agents.GenerateParams{Messages: agents.Text("x")})
	assert.Error(t, err)
	_, err = mc.Agents.ApproveToolCall(ctx, "a", agents.ToolApproval{RunID: "r"})
	assert.Error(t, err)
	assert.Nil(t, *body, "nothing was sent")
}

func TestApprovalBodies(t *testing.T) {
	mc, body, path := captureBody(t, `{"text":"done","finishReason":"stop"}`)
	ctx := context.Background()
	a := agents.ToolApproval{RunID: "r1", ToolCallID: "c1", Reason: "not now"}
	res, err := mc.Agents.ApproveToolCallGenerate(ctx, "x", a)
	require.NoError(t, err)
	assert.Equal(t, "done", res.Text)
	assert.Equal(t, "/api/agents/x/approve-tool-call-generate", *path)
	assert.JSONEq(t, `{"runId":"r1","toolCallId":"c1"}`, string(*body), "approvals carry no reason")
	_, err = mc.Agents.DeclineToolCallGenerate(ctx, "x", a)
	require.NoError(t, err)
	assert.Equal(t, "/api/agents/x/decline-tool-call-generate", *path)
	assert.JSONEq(t, `{"runId":"r1","toolCallId":"c1","reason":"not now"}`, string(*body))
}

func TestGenerateResultDecoding(t *testing.T) {
	answer := `{"text":"hi","finishReason":"stop","runId":"r","object":{"city":"Paris","temp":21},
	  "toolCalls":[{"type":"tool-call","runId":"r","from":"AGENT","payload":{"toolCallId":"c1","toolName":"w","args":{"x":1}}}],
	  "toolResults":[{"type":"tool-result","runId":"r","from":"AGENT","payload":{"toolCallId":"c1","toolName":"w","result":{"ok":true}}}],
	  "usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3},"totalUsage":{"inputTokens":4,"outputTokens":5,"totalTokens":9},
	  "unknownField":{"kept":true}}`
	mc, _, _ := captureBody(t, answer)
	res, err := mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("x")})
	require.NoError(t, err)
	assert.Equal(t, "c1", res.ToolCalls[0].ToolCallID)
	assert.JSONEq(t, `{"x":1}`, string(res.ToolCalls[0].Args))
	assert.JSONEq(t, `{"ok":true}`, string(res.ToolResults[0].Result))
	assert.Equal(t, agents.Usage{InputTokens: 4, OutputTokens: 5, TotalTokens: 9}, res.TotalUsage)
	var obj struct {
		City string
		Temp int
	}
	require.NoError(t, res.DecodeObject(&obj))
	assert.Equal(t, "Paris", obj.City)
	assert.Contains(t, string(res.Raw), `"unknownField"`, "nothing the server sent is lost")

	mc, _, _ = captureBody(t, `{"text":"x","object":null}`)
	res, err = mc.Agents.Generate(context.Background(), "a", agents.GenerateParams{Messages: agents.Text("x")})
	require.NoError(t, err)
	assert.ErrorIs(t, res.DecodeObject(&obj), agents.ErrNoObject)
}

func TestAgentDecoding(t *testing.T) {
	mc, _, _ := captureBody(t, `{"name":"A","instructions":[{"role":"system","content":"one"},"two"],
	  "tools":{"t":{"id":"t","inputSchema":"{\"json\":{\"type\":\"object\"}}","outputSchema":{"type":"string"}}}}`)
	a, err := mc.Agents.Get(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, "A1", a.ID)
	assert.Equal(t, "one\n\ntwo", a.Instructions)
	assert.JSONEq(t, `{"type":"object"}`, string(a.Tools["t"].InputSchema))
	assert.JSONEq(t, `{"type":"string"}`, string(a.Tools["t"].OutputSchema))
	assert.Nil(t, a.Tools["t"].RequestContextSchema)

	mc, _, _ = captureBody(t, `{"tools":{"t":{"id":"t","inputSchema":"{not json"}}}`)
	_, err = mc.Agents.Get(context.Background(), "A1")
	assert.Error(t, err, "a broken schema string is an error, not a panic")
}

func TestResumeBodyAndValidation(t *testing.T) {
	mc, body, path := captureBody(t, `{}`)
	ctx := context.Background()
	_, err := mc.Agents.ResumeStream(ctx, "a", agents.ResumeParams{RunID: "r1"})
	assert.Error(t, err, "ResumeData is required")
	assert.Nil(t, *body)
	_, err = mc.Agents.ResumeStream(ctx, "a", agents.ResumeParams{RunID: "r1", ResumeData: map[string]bool{"approved": false},
		Extra: map[string]any{"maxSteps": 2}})
	require.Error(t, err, "the answer is JSON, not a stream")
	assert.Equal(t, "/api/agents/a/resume-stream", *path)
	assert.JSONEq(t, `{"runId":"r1","resumeData":{"approved":false},"maxSteps":2}`, string(*body))
}
