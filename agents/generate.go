package agents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/mastra-community/mastra-go/internal/rest"
)

// GenerateParams is the input of [Service.Generate] and [Service.Stream].
// Only Messages is required. Unset fields are not sent, so the agent's
// defaults apply.
type GenerateParams struct {
	// Messages is the prompt or conversation to answer.
	Messages Messages `json:"messages"`
	// Instructions replaces the agent's system prompt for this run.
	Instructions string `json:"instructions,omitzero"`
	// Memory selects the thread and resource this run reads and writes.
	Memory *Memory `json:"memory,omitzero"`
	// RunID names the run; the server makes one up when it is empty.
	RunID string `json:"runId,omitzero"`
	// MaxSteps bounds the number of model steps (tool round trips).
	MaxSteps int `json:"maxSteps,omitzero"`
	// RequestContext is merged into the server's request context.
	RequestContext map[string]any `json:"requestContext,omitzero"`
	// ToolChoice says whether and which tools the model must call.
	ToolChoice ToolChoice `json:"toolChoice,omitzero"`
	// ActiveTools limits the tools the model may call to these ids.
	ActiveTools []string `json:"activeTools,omitzero"`
	// RequireToolApproval makes every tool call wait for approval.
	RequireToolApproval bool `json:"requireToolApproval,omitzero"`
	// ModelSettings tunes the model (temperature, token limit, ...).
	ModelSettings *ModelSettings `json:"modelSettings,omitzero"`
	// StructuredOutput asks for an answer that matches a JSON Schema, in
	// [GenerateResult.Object].
	StructuredOutput *StructuredOutput `json:"structuredOutput,omitzero"`
	// Model overrides the agent's model, as "provider/model".
	Model string `json:"model,omitzero"`
	// ProviderOptions are passed to the model provider, by provider name.
	ProviderOptions map[string]any `json:"providerOptions,omitzero"`
	// Extra holds more body fields for options this type does not name;
	// the server passes them to the agent. Named fields win over Extra.
	Extra map[string]any `json:"-"`
}

// MarshalJSON encodes the request body, merging Extra.
func (p GenerateParams) MarshalJSON() ([]byte, error) {
	type plain GenerateParams
	return mergeExtra(plain(p), p.Extra)
}

// mergeExtra encodes v, a struct, and adds the members of extra that v
// does not set: the server keeps the last of repeated keys, so extra goes
// first.
func mergeExtra(v any, extra map[string]any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	e, err := json.Marshal(extra)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(e[:len(e)-1])
	if len(b) > 2 {
		out.WriteByte(',')
	}
	out.Write(b[1:])
	return out.Bytes(), nil
}

func (p *GenerateParams) validate() error {
	if p.Messages.IsZero() {
		return errors.New("mastra: GenerateParams.Messages is empty")
	}
	if p.Memory != nil && p.Memory.Thread == "" {
		return errors.New("mastra: GenerateParams.Memory needs a Thread")
	}
	if p.StructuredOutput != nil && p.StructuredOutput.Schema == nil {
		return errors.New("mastra: GenerateParams.StructuredOutput needs a Schema")
	}
	return nil
}

// Memory selects where a run's messages are remembered.
type Memory struct {
	// Thread is the conversation thread id (required).
	Thread string `json:"thread"`
	// Resource is the owner of the thread, such as a user id. The server
	// requires it unless its auth maps users to resources.
	Resource string `json:"resource,omitzero"`
	// Options overrides the agent's memory configuration (lastMessages,
	// semanticRecall, workingMemory, ...).
	Options map[string]any `json:"options,omitzero"`
	// ReadOnly reads the thread without saving this run to it.
	ReadOnly bool `json:"readOnly,omitzero"`
}

// ToolChoice says whether and which tools the model must call. Use the
// ToolChoice variables or [ToolChoiceTool].
type ToolChoice struct {
	mode     string
	toolName string
}

// The tool choices.
var (
	ToolChoiceAuto     = ToolChoice{mode: "auto"}     // the model decides
	ToolChoiceNone     = ToolChoice{mode: "none"}     // no tool calls
	ToolChoiceRequired = ToolChoice{mode: "required"} // at least one tool call
)

// ToolChoiceTool makes the model call the named tool.
func ToolChoiceTool(name string) ToolChoice { return ToolChoice{mode: "tool", toolName: name} }

// MarshalJSON encodes the choice as the server expects it.
func (c ToolChoice) MarshalJSON() ([]byte, error) {
	if c.mode == "tool" {
		return json.Marshal(map[string]string{"type": "tool", "toolName": c.toolName})
	}
	return json.Marshal(c.mode)
}

// ModelSettings tunes the model. Nil fields are not sent, so a zero value
// such as a temperature of 0 is sent when set: Temperature: new(0.0).
type ModelSettings struct {
	Temperature      *float64          `json:"temperature,omitzero"`
	MaxOutputTokens  *int              `json:"maxOutputTokens,omitzero"`
	TopP             *float64          `json:"topP,omitzero"`
	TopK             *int              `json:"topK,omitzero"`
	PresencePenalty  *float64          `json:"presencePenalty,omitzero"`
	FrequencyPenalty *float64          `json:"frequencyPenalty,omitzero"`
	StopSequences    []string          `json:"stopSequences,omitzero"`
	Seed             *int              `json:"seed,omitzero"`
	MaxRetries       *int              `json:"maxRetries,omitzero"`
	Headers          map[string]string `json:"headers,omitzero"`
}

// StructuredOutput asks the agent for an answer matching a JSON Schema.
type StructuredOutput struct {
	// Schema is the JSON Schema of the answer: a json.RawMessage, a map or
	// any value that encodes to one (required).
	Schema any `json:"schema"`
	// Model, when set, is the model that shapes the answer.
	Model string `json:"model,omitzero"`
	// Instructions are extra instructions for shaping the answer.
	Instructions string `json:"instructions,omitzero"`
	// JSONPromptInjection puts the schema in the prompt instead of using
	// the model's native structured output.
	JSONPromptInjection bool `json:"jsonPromptInjection,omitzero"`
	// ErrorStrategy is "strict" (default), "warn" or "fallback".
	ErrorStrategy string `json:"errorStrategy,omitzero"`
	// FallbackValue is the object used with the "fallback" strategy.
	FallbackValue any `json:"fallbackValue,omitzero"`
}

// GenerateResult is the answer of [Service.Generate].
type GenerateResult struct {
	// Text is the answer's text, all steps together.
	Text string `json:"text"`
	// FinishReason is why the run ended: "stop", "length", "tool-calls",
	// "error", "suspended" (a tool call waits for approval), ...
	FinishReason string `json:"finishReason"`
	// Usage and TotalUsage are the run's token usage. (The server sends
	// the sum over all steps in both; per-step usage is in Steps.)
	Usage      Usage `json:"usage"`
	TotalUsage Usage `json:"totalUsage"`
	// ToolCalls and ToolResults are the tool calls of the run and their
	// results.
	ToolCalls   []ToolCall   `json:"toolCalls"`
	ToolResults []ToolResult `json:"toolResults"`
	// Steps are the model steps of the run.
	Steps []Step `json:"steps"`
	// RunID identifies the run (for approval and resumption).
	RunID string `json:"runId"`
	// TraceID is the run's trace id, when tracing is on.
	TraceID string `json:"traceId"`
	// Object is the structured output, when asked for with
	// GenerateParams.StructuredOutput; decode it with DecodeObject.
	Object json.RawMessage `json:"object"`
	// ReasoningText is the model's reasoning, for models that give it.
	ReasoningText string `json:"reasoningText"`
	// Response describes the model's last response and the messages the
	// run added to the conversation.
	Response Response `json:"response"`
	// SuspendPayload is what a suspended tool reported.
	SuspendPayload json.RawMessage `json:"suspendPayload"`

	// Raw is the whole answer as the server sent it: every field this type
	// does not name is there.
	Raw json.RawMessage `json:"-"`
}

// ErrNoObject is returned by [GenerateResult.DecodeObject] when the answer
// carries no structured output.
var ErrNoObject = errors.New("mastra: the answer has no structured output object")

// DecodeObject decodes the structured output into v (a pointer). It
// returns ErrNoObject when the answer has none.
func (r *GenerateResult) DecodeObject(v any) error { return decodeObject(r.Object, v) }

func decodeObject(obj json.RawMessage, v any) error {
	if len(obj) == 0 || string(obj) == "null" {
		return ErrNoObject
	}
	if err := json.Unmarshal(obj, v); err != nil {
		return fmt.Errorf("mastra: decoding structured output: %w", err)
	}
	return nil
}

// Usage counts tokens.
type Usage struct {
	InputTokens       int64 `json:"inputTokens"`
	OutputTokens      int64 `json:"outputTokens"`
	TotalTokens       int64 `json:"totalTokens"`
	ReasoningTokens   int64 `json:"reasoningTokens,omitzero"`
	CachedInputTokens int64 `json:"cachedInputTokens,omitzero"`
}

// ToolCall is a call of a tool by the model.
type ToolCall struct {
	ToolCallID string `json:"toolCallId"`
	ToolName   string `json:"toolName"`
	// Args is the tool's input, as JSON.
	Args json.RawMessage `json:"args"`
	// ProviderExecuted reports whether the model provider ran the tool.
	ProviderExecuted bool `json:"providerExecuted,omitzero"`
}

// UnmarshalJSON decodes a tool call from the server's chunk form
// {type, runId, from, payload: {...}} or from a flat object.
func (t *ToolCall) UnmarshalJSON(b []byte) error {
	type plain ToolCall
	p, err := unwrapPayload[plain](b)
	*t = ToolCall(p)
	return err
}

// unwrapPayload decodes b as a P, from b's "payload" member when it has
// one. P must not have an UnmarshalJSON method.
func unwrapPayload[P any](b []byte) (P, error) {
	var v struct {
		Payload *P `json:"payload"`
	}
	var p P
	if err := json.Unmarshal(b, &v); err != nil {
		return p, err
	}
	if v.Payload != nil {
		return *v.Payload, nil
	}
	err := json.Unmarshal(b, &p)
	return p, err
}

// ToolResult is the result of a tool call.
type ToolResult struct {
	ToolCallID string `json:"toolCallId"`
	ToolName   string `json:"toolName"`
	// Args is the tool's input and Result its output, as JSON.
	Args   json.RawMessage `json:"args,omitzero"`
	Result json.RawMessage `json:"result"`
	// IsError reports whether the tool failed; Result then describes why.
	IsError bool `json:"isError,omitzero"`
}

// UnmarshalJSON decodes a tool result from the server's chunk form
// {type, runId, from, payload: {...}} or from a flat object.
func (t *ToolResult) UnmarshalJSON(b []byte) error {
	type plain ToolResult
	p, err := unwrapPayload[plain](b)
	*t = ToolResult(p)
	return err
}

// Step is one model step of a run.
type Step struct {
	StepType     string       `json:"stepType"`
	Text         string       `json:"text"`
	FinishReason string       `json:"finishReason"`
	Usage        Usage        `json:"usage"`
	ToolCalls    []ToolCall   `json:"toolCalls"`
	ToolResults  []ToolResult `json:"toolResults"`
}

// Response describes the model's response.
type Response struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	ModelID   string `json:"modelId"`
	// Messages are the messages the run added, in the AI SDK's model
	// message format.
	Messages []ResponseMessage `json:"messages"`
}

// ResponseMessage is a message the run added to the conversation.
type ResponseMessage struct {
	Role string `json:"role"`
	// Content is a string or a list of parts, as the server sent it.
	Content json.RawMessage `json:"content"`
}

// Generate runs an agent and waits for its whole answer.
//
// The request is retried only where the server cannot have started the
// run (see the client package), unless the client opted in with
// client.WithRetryAgentRuns. A model failure is an error (usually a
// *mastra.APIError with status 500).
func (s *Service) Generate(ctx context.Context, agentID string, params GenerateParams) (*GenerateResult, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return s.generate(ctx, rest.Path("agents", agentID, "generate"), params)
}

func (s *Service) generate(ctx context.Context, path string, body any) (*GenerateResult, error) {
	var res GenerateResult
	raw, err := s.rest.JSON(ctx, rest.Request{Method: http.MethodPost, Path: path, Body: body, Kind: rest.Run}, &res)
	if err != nil {
		return nil, err
	}
	res.Raw = raw
	return &res, nil
}
