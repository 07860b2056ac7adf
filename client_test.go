package mastra_test

// End-to-end tests of the public API. Every test runs against the
// in-process fake (mastratest) and, when MASTRA_TEST_BASE_URL is set,
// against the real Mastra test server (scripts/mastra-server.sh), so the
// fake's fidelity is checked by the same assertions.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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

// forEachServer runs f against the fake and, when configured, the real
// server. MASTRA_REQUIRE_SERVER=1 (set by .ci/run) turns a missing real
// server into a failure instead of a skip.
func forEachServer(t *testing.T, f func(t *testing.T, mc *client.MastraClient)) {
	t.Run("fake", func(t *testing.T) {
		srv := mastratest.NewServer()
		t.Cleanup(srv.Close)
		mc, err := client.New(srv.URL)
		require.NoError(t, err)
		f(t, mc)
	})
	t.Run("real", func(t *testing.T) {
		base := os.Getenv("MASTRA_TEST_BASE_URL")
		if base == "" {
			if os.Getenv("MASTRA_REQUIRE_SERVER") == "1" {
				t.Fatal("MASTRA_TEST_BASE_URL is not set but MASTRA_REQUIRE_SERVER=1: start the server with scripts/mastra-server.sh start")
			}
			t.Skip("MASTRA_TEST_BASE_URL is not set; run scripts/test.sh to test against the real Mastra server")
		}
		mc, err := client.New(base)
		require.NoError(t, err)
		f(t, mc)
	})
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// unique makes ids that do not collide across runs against one server.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()) }

func TestListAndGetAgents(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		list, err := mc.Agents.List(ctx(t), nil)
		require.NoError(t, err)
		ids := map[string]*agents.Agent{}
		for _, a := range list {
			ids[a.ID] = a
		}
		require.Contains(t, ids, "weatherAgent")
		require.Contains(t, ids, "echoAgent")
		require.Contains(t, ids, "approvalAgent")

		a, err := mc.Agents.Get(ctx(t), "weatherAgent")
		require.NoError(t, err)
		assert.Equal(t, "weatherAgent", a.ID)
		assert.Equal(t, "Weather Agent", a.Name)
		assert.Contains(t, a.Instructions, "weather")
		assert.Equal(t, "mock", a.Provider)
		assert.Equal(t, "mock-weather", a.ModelID)
		tool, ok := a.Tools["get-weather"]
		require.True(t, ok)
		var schema struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		require.NoError(t, json.Unmarshal(tool.InputSchema, &schema), "schemas are unwrapped JSON Schema")
		assert.Equal(t, "object", schema.Type)
		assert.Contains(t, schema.Properties, "location")
		assert.Equal(t, []string{"location"}, schema.Required)
		assert.Contains(t, string(a.Raw), `"modelVersion"`)

		ap, err := mc.Agents.Get(ctx(t), "approvalAgent")
		require.NoError(t, err)
		assert.True(t, ap.Tools["delete-record"].RequireApproval)
	})
}

func TestTools(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		tool, err := mc.Agents.GetTool(ctx(t), "weatherAgent", "get-weather")
		require.NoError(t, err)
		assert.Equal(t, "get-weather", tool.ID)
		assert.Contains(t, string(tool.OutputSchema), `"temperature"`)

		raw, err := mc.Agents.ExecuteTool(ctx(t), "weatherAgent", "get-weather", agents.ExecuteToolParams{Data: map[string]string{"location": "Berlin"}})
		require.NoError(t, err)
		var out struct {
			Temperature float64 `json:"temperature"`
			Conditions  string  `json:"conditions"`
			Location    string  `json:"location"`
		}
		require.NoError(t, json.Unmarshal(raw, &out))
		assert.Equal(t, 21.0, out.Temperature)
		assert.Equal(t, "Sunny", out.Conditions)
		assert.Equal(t, "Berlin", out.Location)

		_, err = mc.Agents.GetTool(ctx(t), "weatherAgent", "no-such-tool")
		assert.True(t, mastra.IsNotFound(err), "%v", err)
	})
}

func TestGenerateWithToolCall(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		res, err := mc.Agents.Generate(ctx(t), "weatherAgent", agents.GenerateParams{
			Messages:      agents.Text("What is the weather in New York?"),
			ModelSettings: &agents.ModelSettings{Temperature: new(0.0)},
			MaxSteps:      5,
		})
		require.NoError(t, err)
		assert.Equal(t, "The weather in New York is sunny with a temperature of 21°C.", res.Text)
		assert.Equal(t, "stop", res.FinishReason)
		assert.NotEmpty(t, res.RunID)
		require.Len(t, res.ToolCalls, 1)
		assert.Equal(t, "get-weather", res.ToolCalls[0].ToolName)
		assert.Equal(t, "call_get_weather_001", res.ToolCalls[0].ToolCallID)
		assert.JSONEq(t, `{"location":"New York"}`, string(res.ToolCalls[0].Args))
		require.Len(t, res.ToolResults, 1)
		assert.JSONEq(t, `{"temperature":21,"conditions":"Sunny","location":"New York"}`, string(res.ToolResults[0].Result))
		require.Len(t, res.Steps, 2)
		assert.Equal(t, "tool-calls", res.Steps[0].FinishReason)
		assert.Positive(t, res.TotalUsage.TotalTokens)
		assert.Equal(t, res.TotalUsage.InputTokens+res.TotalUsage.OutputTokens, res.TotalUsage.TotalTokens)
		assert.NotEmpty(t, res.Response.Messages)
		assert.Equal(t, "assistant", res.Response.Messages[0].Role)
	})
}

func TestGenerateMessageForms(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		for name, tc := range map[string]struct {
			msgs agents.Messages
			want string
		}{
			"string":  {agents.Text("Hello there"), "You said: Hello there"},
			"strings": {agents.Texts("first", "second"), "You said: second"},
			"messages": {agents.Conversation(
				agents.UserMessage("first"), agents.AssistantMessage("You said: first"), agents.UserMessage("second message"),
			), "You said: second message"},
			"parts": {agents.Conversation(agents.Message{Role: agents.RoleUser, Parts: []agents.Part{agents.TextPart("with parts")}}), "You said: with parts"},
		} {
			res, err := mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: tc.msgs})
			require.NoError(t, err, name)
			assert.Equal(t, tc.want, res.Text, name)
		}
	})
}

func TestErrors(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		var apiErr *mastra.APIError
		_, err := mc.Agents.Get(ctx(t), "noSuchAgent")
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 404, apiErr.StatusCode)
		assert.Equal(t, "Agent with id noSuchAgent not found", apiErr.Message)

		_, err = mc.Agents.Generate(ctx(t), "noSuchAgent", agents.GenerateParams{Messages: agents.Text("hi")})
		assert.True(t, mastra.IsNotFound(err))
		_, err = mc.Agents.Stream(ctx(t), "noSuchAgent", agents.GenerateParams{Messages: agents.Text("hi")})
		assert.True(t, mastra.IsNotFound(err), "stream errors surface before iteration")

		_, err = mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("hi"), Memory: &agents.Memory{Thread: "t-x"}})
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 400, apiErr.StatusCode)
		assert.Contains(t, apiErr.Message, "A resource ID is required when using memory")

		_, err = mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("__mock_error__")})
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode)
		assert.Equal(t, "mock model failure (requested with __mock_error__)", apiErr.Message)

		_, err = mc.Agents.ApproveToolCallGenerate(ctx(t), "approvalAgent", agents.ToolApproval{RunID: "no-such-run", ToolCallID: "call_delete_record_001"})
		assert.True(t, mastra.IsServerError(err), "the server answers an unknown run with 500: %v", err)
	})
}

func TestUnknownRouteIsPlainText404(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		other, err := client.New(mc.BaseURL().String(), client.WithAPIPrefix("/api/no-such-route"))
		require.NoError(t, err)
		_, err = other.Agents.List(ctx(t), nil)
		var apiErr *mastra.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 404, apiErr.StatusCode)
		assert.Equal(t, "404 Not Found", apiErr.Message)
	})
}

func TestStreamWithToolCall(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		st, err := mc.Agents.Stream(ctx(t), "weatherAgent", agents.GenerateParams{Messages: agents.Text("What is the weather in Tokyo?")})
		require.NoError(t, err)
		var types []string
		var res agents.StreamResult
		for c, err := range st.Chunks() {
			require.NoError(t, err)
			types = append(types, c.Type)
			res.Add(c)
		}
		assert.Equal(t, "The weather in Tokyo is sunny with a temperature of 21°C.", res.Text)
		assert.Equal(t, "stop", res.FinishReason)
		require.Len(t, res.ToolCalls, 1)
		assert.JSONEq(t, `{"location":"Tokyo"}`, string(res.ToolCalls[0].Args))
		require.Len(t, res.ToolResults, 1)
		assert.Positive(t, res.Usage.TotalTokens)
		assert.Equal(t, "start", types[0])
		assert.Equal(t, "finish", types[len(types)-1])
		assert.Subset(t, types, []string{"step-start", "tool-call", "tool-result", "step-finish", "text-start", "text-delta", "text-end"})
		assert.Less(t, indexOf(types, "tool-call"), indexOf(types, "tool-result"))
		assert.Less(t, indexOf(types, "tool-result"), indexOf(types, "text-delta"))
		assert.NoError(t, st.Close(), "Close after the end is fine")
	})
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestStreamMidStreamModelError(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		st, err := mc.Agents.Stream(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("__mock_error__")})
		require.NoError(t, err, "a model failure after the start is not an HTTP error")
		res, err := st.Collect()
		var se *agents.StreamError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "mock model failure (requested with __mock_error__)", se.Message)
		assert.NotEmpty(t, se.RunID)
		assert.Empty(t, res.Text)
	})
}

func TestMemoryThread(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		mem := &agents.Memory{Thread: unique("thread"), Resource: unique("user")}
		first, err := mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("remember me"), Memory: mem})
		require.NoError(t, err)
		assert.Equal(t, "You said: remember me", first.Text)
		second, err := mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("second turn"), Memory: mem})
		require.NoError(t, err)
		var raw struct {
			Remembered []struct {
				Role    string `json:"role"`
				Content struct {
					Content string `json:"content"`
				} `json:"content"`
			} `json:"rememberedMessages"`
		}
		require.NoError(t, json.Unmarshal(second.Raw, &raw))
		require.Len(t, raw.Remembered, 2, "the thread remembers the first turn")
		assert.Equal(t, "remember me", raw.Remembered[0].Content.Content)
		assert.Equal(t, "You said: remember me", raw.Remembered[1].Content.Content)

		// Streams use the same thread.
		st, err := mc.Agents.Stream(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("third turn"), Memory: mem})
		require.NoError(t, err)
		res, err := st.Collect()
		require.NoError(t, err)
		assert.Equal(t, "You said: third turn", res.Text)
	})
}

func TestToolApprovalStream(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		for _, approve := range []bool{true, false} {
			st, err := mc.Agents.Stream(ctx(t), "approvalAgent", agents.GenerateParams{Messages: agents.Text("Please delete rec-42")})
			require.NoError(t, err)
			res, err := st.Collect()
			require.NoError(t, err)
			assert.Empty(t, res.FinishReason, "a suspended run ends without a finish chunk")
			require.Len(t, res.ToolCalls, 1)
			call := res.ToolCalls[0]
			assert.Equal(t, "delete-record", call.ToolName)

			a := agents.ToolApproval{RunID: res.RunID, ToolCallID: call.ToolCallID, Reason: "not allowed"}
			if approve {
				st, err = mc.Agents.ApproveToolCall(ctx(t), "approvalAgent", a)
			} else {
				st, err = mc.Agents.DeclineToolCall(ctx(t), "approvalAgent", a)
			}
			require.NoError(t, err)
			var types []string
			var after agents.StreamResult
			for c, err := range st.Chunks() {
				require.NoError(t, err)
				types = append(types, c.Type)
				after.Add(c)
			}
			if approve {
				assert.Equal(t, "Record rec-42 was deleted.", after.Text)
				assert.Equal(t, "tool-result", types[0])
				require.Len(t, after.ToolResults, 1)
				assert.JSONEq(t, `{"deleted":true,"recordId":"rec-42"}`, string(after.ToolResults[0].Result))
			} else {
				assert.Equal(t, "Record rec-42 was not deleted.", after.Text)
				assert.Equal(t, "tool-output-denied", types[0])
			}
			assert.Equal(t, "stop", after.FinishReason)
			assert.Equal(t, res.RunID, after.RunID)
		}
	})
}

func TestToolApprovalGenerate(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		for _, approve := range []bool{true, false} {
			res, err := mc.Agents.Generate(ctx(t), "approvalAgent", agents.GenerateParams{Messages: agents.Text("Please delete rec-9")})
			require.NoError(t, err)
			assert.Equal(t, "suspended", res.FinishReason)
			require.Len(t, res.ToolCalls, 1)
			var payload struct {
				ToolCallID string          `json:"toolCallId"`
				ToolName   string          `json:"toolName"`
				Args       json.RawMessage `json:"args"`
			}
			require.NoError(t, json.Unmarshal(res.SuspendPayload, &payload))
			assert.Equal(t, "delete-record", payload.ToolName)
			assert.JSONEq(t, `{"recordId":"rec-9"}`, string(payload.Args))

			a := agents.ToolApproval{RunID: res.RunID, ToolCallID: payload.ToolCallID}
			var done *agents.GenerateResult
			if approve {
				done, err = mc.Agents.ApproveToolCallGenerate(ctx(t), "approvalAgent", a)
			} else {
				done, err = mc.Agents.DeclineToolCallGenerate(ctx(t), "approvalAgent", a)
			}
			require.NoError(t, err)
			assert.Equal(t, "stop", done.FinishReason)
			if approve {
				assert.Equal(t, "Record rec-9 was deleted.", done.Text)
				require.Len(t, done.ToolResults, 1)
			} else {
				assert.Equal(t, "Record rec-9 was not deleted.", done.Text)
				assert.Empty(t, done.ToolResults)
			}
		}
	})
}

func TestRunIDIsKept(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		id := unique("run")
		res, err := mc.Agents.Generate(ctx(t), "echoAgent", agents.GenerateParams{Messages: agents.Text("hi"), RunID: id})
		require.NoError(t, err)
		assert.Equal(t, id, res.RunID)
	})
}

func TestBearerCheckOnFake(t *testing.T) {
	srv := mastratest.NewServer(mastratest.WithTokenCheck(func(_ context.Context, tok string) error {
		if tok != "good" {
			return fmt.Errorf("bad token")
		}
		return nil
	}))
	defer srv.Close()
	for tok, ok := range map[string]bool{"": false, "bad": false, "good": true} {
		mc, err := client.New(srv.URL, client.WithToken(tok))
		require.NoError(t, err)
		_, err = mc.Agents.List(ctx(t), nil)
		if ok {
			assert.NoError(t, err)
		} else {
			assert.True(t, mastra.IsUnauthorized(err), "token %q: %v", tok, err)
			assert.False(t, strings.Contains(fmt.Sprint(err), "bad token"))
		}
	}
}

func TestSuspendedRunsAndResume(t *testing.T) {
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		rec := unique("rec")
		res, err := mc.Agents.Generate(ctx(t), "approvalAgent", agents.GenerateParams{Messages: agents.Text("Please delete " + rec)})
		require.NoError(t, err)
		require.Equal(t, "suspended", res.FinishReason)

		list, err := mc.Agents.ListSuspendedRuns(ctx(t), "approvalAgent", nil)
		require.NoError(t, err)
		var run *agents.SuspendedRun
		for i := range list.Runs {
			if list.Runs[i].RunID == res.RunID {
				run = &list.Runs[i]
			}
		}
		require.NotNil(t, run, "the suspended run is listed")
		assert.Equal(t, "suspended", run.Status)
		assert.False(t, run.SuspendedAt.IsZero())
		require.Len(t, run.ToolCalls, 1)
		assert.True(t, run.ToolCalls[0].RequiresApproval)
		assert.JSONEq(t, `{"recordId":"`+rec+`"}`, string(run.ToolCalls[0].Args))
		assert.GreaterOrEqual(t, list.Total, len(list.Runs))

		st, err := mc.Agents.ResumeStream(ctx(t), "approvalAgent", agents.ResumeParams{
			RunID: res.RunID, ToolCallID: run.ToolCalls[0].ToolCallID, ResumeData: map[string]any{"approved": true},
		})
		require.NoError(t, err)
		done, err := st.Collect()
		require.NoError(t, err)
		assert.Equal(t, "Record "+rec+" was deleted.", done.Text)
		assert.Equal(t, "stop", done.FinishReason)

		list, err = mc.Agents.ListSuspendedRuns(ctx(t), "approvalAgent", nil)
		require.NoError(t, err)
		for _, r := range list.Runs {
			assert.NotEqual(t, res.RunID, r.RunID, "a resumed run is no longer suspended")
		}
	})
}

func TestStructuredOutput(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city"]}`)
	type weather struct {
		City string  `json:"city"`
		Temp float64 `json:"temp"`
	}
	forEachServer(t, func(t *testing.T, mc *client.MastraClient) {
		// The echo model answers `You said: {...}`; Mastra extracts the
		// JSON object from that text and validates it against the schema.
		params := agents.GenerateParams{
			Messages:         agents.Text(`{"city":"Paris","temp":21.5}`),
			StructuredOutput: &agents.StructuredOutput{Schema: schema},
		}
		res, err := mc.Agents.Generate(ctx(t), "echoAgent", params)
		require.NoError(t, err)
		var w weather
		require.NoError(t, res.DecodeObject(&w))
		assert.Equal(t, weather{"Paris", 21.5}, w)

		st, err := mc.Agents.Stream(ctx(t), "echoAgent", params)
		require.NoError(t, err)
		var sum agents.StreamResult
		var partial bool
		for c, err := range st.Chunks() {
			require.NoError(t, err)
			sum.Add(c)
			if _, ok := c.Object(); ok && c.Type == "object" {
				partial = true
			}
		}
		assert.True(t, partial, "the object streams as it is made")
		w = weather{}
		require.NoError(t, sum.DecodeObject(&w))
		assert.Equal(t, weather{"Paris", 21.5}, w)

		// An answer that does not match the schema.
		params.Messages = agents.Text(`{"town":"Paris"}`)
		_, err = mc.Agents.Generate(ctx(t), "echoAgent", params)
		var apiErr *mastra.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode)
		assert.Equal(t, "Structured output validation failed: - root: must have required property 'city'", apiErr.Message)

		params.Messages = agents.Text("no json here")
		st, err = mc.Agents.Stream(ctx(t), "echoAgent", params)
		require.NoError(t, err)
		_, err = st.Collect()
		var se *agents.StreamError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "STRUCTURED_OUTPUT_SCHEMA_VALIDATION_FAILED", se.Code)
		assert.Equal(t, "Structured output validation failed: - root: must be object", se.Message)
	})
}
