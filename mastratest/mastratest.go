// Package mastratest provides an in-process fake Mastra server for tests
// and demos. It speaks the wire format of a real Mastra server (@mastra/core
// 1.71 with @mastra/deployer 1.69) for the agent routes: list, get, tools,
// generate and stream, tool approval, suspended runs and resume-stream,
// with scripted agents, tool calls, memory threads, structured output
// (the JSON object in the answer's text, checked against the schema's
// required properties and types), mid-stream model errors, injected
// faults and an optional bearer-token check. The SDK's end-to-end tests
// run against it and against a real server, which keeps it faithful.
//
//	srv := mastratest.NewServer()
//	defer srv.Close()
//	mc, _ := client.New(srv.URL)
//	res, _ := mc.Agents.Generate(ctx, "weatherAgent", agents.GenerateParams{Messages: agents.Text("Weather in Paris?")})
//	// res.Text == "The weather in Paris is sunny with a temperature of 21°C."
//
// The server listens on 127.0.0.1 only.
package mastratest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Server is a running fake Mastra server.
type Server struct {
	// URL is the server's base URL, such as "http://127.0.0.1:34567".
	URL string

	srv   *httptest.Server
	check func(ctx context.Context, token string) error
	delay time.Duration

	mu      sync.Mutex
	agents  map[string]Agent
	order   []string
	faults  []Fault
	calls   map[string]int
	threads map[string][]any // thread id → remembered messages
	runs    int
	waiting map[string]*plan // suspended runs by run id
}

// Agent is a scripted agent.
type Agent struct {
	ID           string
	Name         string
	Description  string
	Instructions string
	// ModelID is the model id the agent reports ("mock" when empty).
	ModelID string
	Tools   []Tool
	// Respond scripts the agent: it maps the prompt (the last user text)
	// to a reply. Nil echoes: "You said: <prompt>".
	Respond func(prompt string) Reply
}

// Tool is a tool of a scripted agent.
type Tool struct {
	ID           string
	Description  string
	InputSchema  json.RawMessage // JSON Schema
	OutputSchema json.RawMessage // JSON Schema
	// Execute computes the tool's result from its JSON input.
	Execute func(args json.RawMessage) (any, error)
	// RequireApproval suspends a run that calls the tool until the call is
	// approved or declined.
	RequireApproval bool
}

// Reply is what a scripted agent answers.
type Reply struct {
	// ToolCalls are made in a first step; their results are computed with
	// the tools' Execute functions before the text step.
	ToolCalls []ToolCall
	// Text is the final answer; streams send it word by word.
	Text string
	// DeclinedText is the final answer when a tool call that needs
	// approval is declined.
	DeclinedText string
	// Error, when set, makes the model fail: generate answers 500 with it,
	// stream sends an "error" chunk (then "finish" and [DONE]).
	Error string
}

// ToolCall is a tool call made by a scripted agent.
type ToolCall struct {
	Tool string
	Args any
}

// Fault makes the server fail requests: the next Count requests whose path
// starts with Path (all when Count is 0) get Status and Body, with a
// Retry-After header when RetryAfter is set. A zero Status drops the
// connection instead of answering.
type Fault struct {
	Path       string
	Status     int
	Body       string
	RetryAfter time.Duration
	Count      int
}

// Option configures a Server.
type Option func(*Server)

// WithAgents replaces the demo agents with agents.
func WithAgents(agents ...Agent) Option {
	return func(s *Server) {
		s.agents, s.order = map[string]Agent{}, nil
		for _, a := range agents {
			s.addAgent(a)
		}
	}
}

// WithTokenCheck makes every /api route require "Authorization: Bearer
// <token>", as a Mastra server with an auth provider does: a missing token,
// or one check refuses, gets 401 {"error":"Invalid or expired token"}.
func WithTokenCheck(check func(ctx context.Context, token string) error) Option {
	return func(s *Server) { s.check = check }
}

// WithChunkDelay waits d between the chunks of a stream.
func WithChunkDelay(d time.Duration) Option {
	return func(s *Server) { s.delay = d }
}

// NewServer starts a fake Mastra server on 127.0.0.1. Without
// [WithAgents] it has the demo agents "weatherAgent" and "echoAgent" of
// [DemoAgents]. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{agents: map[string]Agent{}, calls: map[string]int{}, threads: map[string][]any{}, waiting: map[string]*plan{}}
	for _, a := range DemoAgents() {
		s.addAgent(a)
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

func (s *Server) addAgent(a Agent) {
	if _, ok := s.agents[a.ID]; !ok {
		s.order = append(s.order, a.ID)
	}
	s.agents[a.ID] = a
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// InjectFault adds a fault; see [Fault].
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Calls returns how many requests had exactly this path (such as
// "/api/agents/echoAgent/generate"), faults included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// DemoAgents returns the demo agents, scripted like the agents of the
// SDK's real test server: "weatherAgent" calls its "get-weather" tool for
// the city in the prompt (London by default) and reports 21°C and sunny;
// "approvalAgent" calls "delete-record" for the rec-N id in the prompt, a
// tool whose calls wait for approval; "echoAgent" answers
// "You said: <prompt>". Each fails like a broken model when the prompt
// contains "__mock_error__".
func DemoAgents() []Agent {
	weather := Tool{
		ID:           "get-weather",
		Description:  "Get the current weather for a location",
		InputSchema:  json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"location":{"type":"string","description":"City name"}},"required":["location"],"additionalProperties":false}`),
		OutputSchema: json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"temperature":{"type":"number"},"conditions":{"type":"string"},"location":{"type":"string"}},"required":["temperature","conditions","location"],"additionalProperties":false}`),
		Execute: func(args json.RawMessage) (any, error) {
			var in struct {
				Location string `json:"location"`
			}
			if err := json.Unmarshal(args, &in); err != nil || in.Location == "" {
				return nil, fmt.Errorf("location is required")
			}
			return map[string]any{"temperature": 21, "conditions": "Sunny", "location": in.Location}, nil
		},
	}
	return []Agent{
		{
			ID:           "weatherAgent",
			Name:         "Weather Agent",
			Description:  "Answers weather questions using the get-weather tool (deterministic mock model).",
			Instructions: "You are a helpful weather assistant. When asked about the weather for a location, call the get-weather tool and report the temperature and conditions.",
			ModelID:      "mock-weather",
			Tools:        []Tool{weather},
			Respond: func(prompt string) Reply {
				if strings.Contains(prompt, "__mock_error__") {
					return Reply{Error: "mock model failure (requested with __mock_error__)"}
				}
				city := cityIn(prompt)
				return Reply{
					ToolCalls: []ToolCall{{Tool: "get-weather", Args: map[string]string{"location": city}}},
					Text:      "The weather in " + city + " is sunny with a temperature of 21°C.",
				}
			},
		},
		{
			ID:           "approvalAgent",
			Name:         "Approval Agent",
			Description:  "Deletes records with the delete-record tool, which needs approval (deterministic mock model).",
			Instructions: "You delete records when asked. Always use the delete-record tool.",
			ModelID:      "mock-approval",
			Tools: []Tool{{
				ID:              "delete-record",
				Description:     "Delete a record by id",
				InputSchema:     json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"recordId":{"type":"string"}},"required":["recordId"],"additionalProperties":false}`),
				OutputSchema:    json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"deleted":{"type":"boolean"},"recordId":{"type":"string"}},"required":["deleted","recordId"],"additionalProperties":false}`),
				RequireApproval: true,
				Execute: func(args json.RawMessage) (any, error) {
					var in struct {
						RecordID string `json:"recordId"`
					}
					if err := json.Unmarshal(args, &in); err != nil || in.RecordID == "" {
						return nil, fmt.Errorf("recordId is required")
					}
					return map[string]any{"deleted": true, "recordId": in.RecordID}, nil
				},
			}},
			Respond: func(prompt string) Reply {
				if strings.Contains(prompt, "__mock_error__") {
					return Reply{Error: "mock model failure (requested with __mock_error__)"}
				}
				id := recordRE.FindString(prompt)
				if id == "" {
					id = "rec-1"
				}
				return Reply{
					ToolCalls:    []ToolCall{{Tool: "delete-record", Args: map[string]string{"recordId": id}}},
					Text:         "Record " + id + " was deleted.",
					DeclinedText: "Record " + id + " was not deleted.",
				}
			},
		},
		{
			ID:           "echoAgent",
			Name:         "Echo Agent",
			Description:  "Echoes the last user message (deterministic mock model).",
			Instructions: "Repeat what the user said.",
			ModelID:      "mock-echo",
		},
	}
}

// cityRE finds the city as the real test server's mock model does: the
// last group of capitalised words after "in", "for" or "at".
var cityRE = regexp.MustCompile(`\b(?:in|for|at)\s+(\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*)*)`)

func cityIn(prompt string) string {
	m := cityRE.FindAllStringSubmatch(prompt, -1)
	if len(m) == 0 {
		return "London"
	}
	return strings.TrimRight(m[len(m)-1][1], ".")
}

var recordRE = regexp.MustCompile(`\brec-[A-Za-z0-9_-]+`)

func echo(prompt string) Reply {
	if strings.Contains(prompt, "__mock_error__") {
		return Reply{Error: "mock model failure (requested with __mock_error__)"}
	}
	return Reply{Text: "You said: " + prompt}
}
