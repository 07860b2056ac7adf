// Package agents is the agent API of a Mastra server: list and describe
// agents, run them with [Service.Generate] or [Service.Stream], look up and
// execute their tools, answer tool calls that wait for approval, and list
// and resume suspended runs.
//
// Get a [Service] from client.MastraClient.Agents.
package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mastra-community/mastra-go/internal/rest"
)

// Service calls the agent routes of one Mastra server.
type Service struct {
	rest *rest.Client
}

// NewService returns a Service over the SDK's request engine. Use
// client.New instead: it builds the engine and the Service.
func NewService(c *rest.Client) *Service { return &Service{rest: c} }

// Agent describes an agent as the server reports it.
type Agent struct {
	// ID is the agent's id (the key it is registered under).
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Instructions is the agent's system prompt. The server sends a
	// string, a list of strings or system messages; they are joined here
	// with blank lines. The exact form stays in Raw.
	Instructions string `json:"-"`
	// Tools maps tool ids to the agent's tools.
	Tools map[string]Tool `json:"tools"`
	// Provider, ModelID and ModelVersion describe the agent's model.
	Provider     string `json:"provider"`
	ModelID      string `json:"modelId"`
	ModelVersion string `json:"modelVersion"`
	// ModelList is the agent's model fallback list, if it has one.
	ModelList []ModelConfig `json:"modelList"`
	// SupportsMemory reports whether the agent has memory configured.
	SupportsMemory bool `json:"supportsMemory"`
	// Agents lists the sub-agents by key.
	Agents map[string]SubAgent `json:"agents"`
	// Workflows lists the agent's workflows by key, as the server sent them.
	Workflows map[string]json.RawMessage `json:"workflows"`
	// Metadata is the agent's metadata, if any.
	Metadata map[string]any `json:"metadata"`
	// DefaultOptions are the agent's default execution options.
	DefaultOptions json.RawMessage `json:"defaultOptions"`
	// Source tells where the agent is defined: "code", "stored" or "fs".
	Source string `json:"source"`

	// Raw is the agent object exactly as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes an agent, flattening its instructions and keeping
// the raw object.
func (a *Agent) UnmarshalJSON(b []byte) error {
	type plain Agent
	var v struct {
		plain
		Instructions json.RawMessage `json:"instructions"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = Agent(v.plain)
	a.Instructions = instructionsText(v.Instructions)
	a.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// instructionsText flattens string | string[] | {role, content} | [...].
func instructionsText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var msg struct {
		Content json.RawMessage `json:"content"`
	}
	if raw[0] == '{' && json.Unmarshal(raw, &msg) == nil {
		return instructionsText(msg.Content)
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			var part struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if item[0] == '{' && json.Unmarshal(item, &part) == nil && part.Type == "text" {
				parts = append(parts, part.Text)
				continue
			}
			if t := instructionsText(item); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "\n\n")
	}
	return ""
}

// ModelConfig is one entry of an agent's model list.
type ModelConfig struct {
	ID         string `json:"id"`
	Enabled    bool   `json:"enabled"`
	MaxRetries int    `json:"maxRetries"`
	Model      struct {
		ModelID      string `json:"modelId"`
		Provider     string `json:"provider"`
		ModelVersion string `json:"modelVersion"`
	} `json:"model"`
}

// SubAgent names an agent that another agent can delegate to.
type SubAgent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tool describes a tool of an agent. Its schemas are JSON Schema documents,
// unwrapped from the {"json": ...} strings the server sends.
type Tool struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// InputSchema is the JSON Schema of the tool's input, or nil.
	InputSchema json.RawMessage `json:"-"`
	// OutputSchema is the JSON Schema of the tool's output, or nil.
	OutputSchema json.RawMessage `json:"-"`
	// RequestContextSchema is the JSON Schema of the request context the
	// tool expects, or nil.
	RequestContextSchema json.RawMessage `json:"-"`
	// RequireApproval reports whether a call of this tool waits for
	// [Service.ApproveToolCall] or [Service.DeclineToolCall].
	RequireApproval bool `json:"requireApproval"`
}

// UnmarshalJSON decodes a tool, unwrapping its schemas.
func (t *Tool) UnmarshalJSON(b []byte) error {
	type plain Tool
	var v struct {
		plain
		InputSchema          json.RawMessage `json:"inputSchema"`
		OutputSchema         json.RawMessage `json:"outputSchema"`
		RequestContextSchema json.RawMessage `json:"requestContextSchema"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Tool(v.plain)
	var err error
	if t.InputSchema, err = unwrapSchema(v.InputSchema); err != nil {
		return fmt.Errorf("tool %q inputSchema: %w", t.ID, err)
	}
	if t.OutputSchema, err = unwrapSchema(v.OutputSchema); err != nil {
		return fmt.Errorf("tool %q outputSchema: %w", t.ID, err)
	}
	if t.RequestContextSchema, err = unwrapSchema(v.RequestContextSchema); err != nil {
		return fmt.Errorf("tool %q requestContextSchema: %w", t.ID, err)
	}
	return nil
}

// unwrapSchema turns the server's superjson string "{\"json\": {...}}" into
// the schema itself. A schema sent as a plain object is kept as it is.
func unwrapSchema(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	doc := raw
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s == "" {
			return nil, nil
		}
		doc = json.RawMessage(s)
	}
	var wrapped struct {
		JSON json.RawMessage `json:"json"`
	}
	if err := json.Unmarshal(doc, &wrapped); err != nil {
		return nil, err
	}
	if wrapped.JSON != nil {
		return wrapped.JSON, nil
	}
	return append(json.RawMessage(nil), doc...), nil
}

// ListOptions narrows [Service.List].
type ListOptions struct {
	// Partial asks the server to leave out heavy schema data.
	Partial bool
	// RequestContext is sent to the server (agents may be dynamic).
	RequestContext map[string]any
}

// List returns the server's agents, sorted by id.
func (s *Service) List(ctx context.Context, opts *ListOptions) ([]*Agent, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	var m map[string]*Agent
	if _, err := s.rest.JSON(ctx, rest.Request{Method: http.MethodGet, Path: "/agents", Query: q}, &m); err != nil {
		return nil, err
	}
	list := make([]*Agent, 0, len(m))
	for id, a := range m {
		if a == nil {
			continue
		}
		if a.ID == "" {
			a.ID = id
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b *Agent) int { return strings.Compare(a.ID, b.ID) })
	return list, nil
}

func listQuery(opts *ListOptions) (url.Values, error) {
	q := url.Values{}
	if opts == nil {
		return q, nil
	}
	if opts.Partial {
		q.Set("partial", "true")
	}
	if err := setRequestContext(q, opts.RequestContext); err != nil {
		return nil, err
	}
	return q, nil
}

// setRequestContext adds a request context to a GET query, as the server
// reads it: base64 of its JSON.
func setRequestContext(q url.Values, rc map[string]any) error {
	if len(rc) == 0 {
		return nil
	}
	b, err := json.Marshal(rc)
	if err != nil {
		return fmt.Errorf("mastra: encoding request context: %w", err)
	}
	q.Set("requestContext", base64Std(b))
	return nil
}

// Get returns one agent. An unknown id is an error for which
// mastra.IsNotFound reports true.
func (s *Service) Get(ctx context.Context, agentID string) (*Agent, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	var a Agent
	if _, err := s.rest.JSON(ctx, rest.Request{Method: http.MethodGet, Path: rest.Path("agents", agentID)}, &a); err != nil {
		return nil, err
	}
	if a.ID == "" {
		a.ID = agentID
	}
	return &a, nil
}

// GetTool returns one tool of an agent.
func (s *Service) GetTool(ctx context.Context, agentID, toolID string) (*Tool, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	if err := checkID("tool", toolID); err != nil {
		return nil, err
	}
	var t Tool
	if _, err := s.rest.JSON(ctx, rest.Request{Method: http.MethodGet, Path: rest.Path("agents", agentID, "tools", toolID)}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// ExecuteToolParams is the input of [Service.ExecuteTool].
type ExecuteToolParams struct {
	// Data is the tool's input; it must match the tool's input schema.
	Data any `json:"data"`
	// RequestContext is merged into the server's request context.
	RequestContext map[string]any `json:"requestContext,omitempty"`
}

// ExecuteTool runs one of an agent's tools on the server with the given
// input and returns its result as JSON. Decode it with json.Unmarshal.
func (s *Service) ExecuteTool(ctx context.Context, agentID, toolID string, params ExecuteToolParams) (json.RawMessage, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	if err := checkID("tool", toolID); err != nil {
		return nil, err
	}
	if params.Data == nil {
		params.Data = map[string]any{}
	}
	raw, err := s.rest.JSON(ctx, rest.Request{
		Method: http.MethodPost, Path: rest.Path("agents", agentID, "tools", toolID, "execute"),
		Body: params, Kind: rest.Run,
	}, nil)
	if err != nil {
		return nil, err
	}
	if !json.Valid(raw) {
		return nil, errors.New("mastra: tool result is not JSON")
	}
	return raw, nil
}

func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("mastra: %s id is empty", what)
	}
	return nil
}
