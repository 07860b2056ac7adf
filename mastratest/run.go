package mastratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type runBody struct {
	Messages json.RawMessage `json:"messages"`
	RunID    string          `json:"runId"`
	Memory   *struct {
		Thread   json.RawMessage `json:"thread"`
		Resource string          `json:"resource"`
	} `json:"memory"`
}

type usage struct {
	InputTokens  int `json:"inputTokens"`
	OutputTokens int `json:"outputTokens"`
	TotalTokens  int `json:"totalTokens"`
}

func mkUsage(in, out int) usage { return usage{in, out, in + out} }

func (u usage) plus(v usage) usage {
	return mkUsage(u.InputTokens+v.InputTokens, u.OutputTokens+v.OutputTokens)
}

// chunk is the envelope of stream chunks, and of generate's toolCalls.
type chunk struct {
	Type    string `json:"type"`
	RunID   string `json:"runId"`
	From    string `json:"from"`
	Payload any    `json:"payload"`
}

// run answers generate (stream false) and stream.
func (s *Server) run(w http.ResponseWriter, r *http.Request, a Agent, stream bool) {
	var body runBody
	if !readBody(w, r, &body) {
		return
	}
	prompt, ok := lastUserText(body.Messages)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
			"issues": []map[string]string{{"field": "messages", "message": "Invalid input"}}})
		return
	}
	if prompt == "" && string(body.Messages) == `""` {
		writeError(w, http.StatusBadRequest, `Argument "messages" is required`)
		return
	}
	var remembered []any
	if body.Memory != nil {
		if body.Memory.Resource == "" {
			writeError(w, http.StatusBadRequest, "A resource ID is required when using memory. Provide memory.resource in the request body, or configure server auth with mapUserToResourceId to derive it from the authenticated user.")
			return
		}
		remembered = s.remember(threadID(body.Memory.Thread), body.Memory.Resource, prompt)
	}

	s.mu.Lock()
	s.runs++
	n := s.runs
	s.mu.Unlock()
	runID := body.RunID
	if runID == "" {
		runID = fmt.Sprintf("run-%d", n)
	}
	respond := a.Respond
	if respond == nil {
		respond = echo
	}
	reply := respond(prompt)
	p := plan{agent: a, reply: reply, runID: runID, prompt: prompt, model: modelID(a)}
	p.execute()
	if stream {
		s.writeStream(w, r, p)
		return
	}
	if reply.Error != "" {
		writeError(w, http.StatusInternalServerError, reply.Error)
		return
	}
	writeJSON(w, http.StatusOK, p.fullOutput(remembered))
}

// plan is one scripted run, tool results computed.
type plan struct {
	agent         Agent
	reply         Reply
	runID, prompt string
	model         string
	calls         []map[string]any // tool-call payloads
	results       []map[string]any // tool-result payloads
}

func (p *plan) execute() {
	for i, tc := range p.reply.ToolCalls {
		args, _ := json.Marshal(tc.Args)
		id := fmt.Sprintf("call_%s_%03d", strings.ReplaceAll(tc.Tool, "-", "_"), i+1)
		p.calls = append(p.calls, map[string]any{"toolCallId": id, "toolName": tc.Tool, "args": json.RawMessage(args)})
		res := map[string]any{"args": json.RawMessage(args), "toolCallId": id, "toolName": tc.Tool}
		var out any = map[string]string{"error": "tool not found"}
		isError := true
		for _, t := range p.agent.Tools {
			if t.ID == tc.Tool && t.Execute != nil {
				if v, err := t.Execute(args); err == nil {
					out, isError = v, false
				} else {
					out = map[string]string{"error": err.Error()}
				}
			}
		}
		res["result"] = out
		if isError {
			res["isError"] = true
		}
		p.results = append(p.results, res)
	}
}

func (p *plan) toolUsage() usage { return mkUsage(len(p.prompt)/4+20, len(p.calls)) }
func (p *plan) textUsage() usage {
	return mkUsage(len(p.prompt)/4+20, len(strings.Fields(p.reply.Text)))
}

func (p *plan) total() usage {
	u := p.textUsage()
	if len(p.calls) > 0 {
		u = u.plus(p.toolUsage())
	}
	return u
}

func (p *plan) wrap(typ string, payloads []map[string]any) []chunk {
	out := []chunk{}
	for _, pl := range payloads {
		out = append(out, chunk{typ, p.runID, "AGENT", pl})
	}
	return out
}

func (p *plan) fullOutput(remembered []any) map[string]any {
	var steps []any
	var messages []any
	if len(p.calls) > 0 {
		steps = append(steps, map[string]any{
			"stepType": "initial", "text": "", "finishReason": "tool-calls", "usage": p.toolUsage(),
			"toolCalls": p.wrap("tool-call", p.calls), "toolResults": p.wrap("tool-result", p.results),
			"warnings": []any{}, "request": map[string]any{},
		})
		var callParts, resultParts []any
		for i, c := range p.calls {
			callParts = append(callParts, map[string]any{"type": "tool-call", "toolCallId": c["toolCallId"], "toolName": c["toolName"], "input": c["args"]})
			resultParts = append(resultParts, map[string]any{"type": "tool-result", "toolCallId": c["toolCallId"], "toolName": c["toolName"],
				"output": map[string]any{"type": "json", "value": p.results[i]["result"]}, "input": c["args"]})
		}
		messages = append(messages, map[string]any{"role": "assistant", "content": callParts},
			map[string]any{"role": "tool", "content": resultParts})
	}
	steps = append(steps, map[string]any{
		"stepType": map[bool]string{true: "tool-result", false: "initial"}[len(p.calls) > 0],
		"text":     p.reply.Text, "finishReason": "stop", "usage": p.textUsage(),
		"toolCalls": []any{}, "toolResults": []any{}, "warnings": []any{}, "request": map[string]any{},
	})
	messages = append(messages, map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": p.reply.Text}}})
	if remembered == nil {
		remembered = []any{}
	}
	return map[string]any{
		"text": p.reply.Text, "usage": p.textUsage(), "totalUsage": p.total(), "steps": steps,
		"finishReason": "stop", "warnings": []any{}, "request": map[string]any{}, "reasoning": []any{},
		"toolCalls": p.wrap("tool-call", p.calls), "toolResults": p.wrap("tool-result", p.results),
		"sources": []any{}, "files": []any{},
		"response":          map[string]any{"id": "mock-resp-1", "timestamp": "2026-01-01T00:00:00.000Z", "modelId": p.model, "messages": messages},
		"usedFallbackValue": false, "runId": p.runID, "messages": []any{}, "rememberedMessages": remembered,
	}
}

// writeStream sends the run as the server's SSE chunks, flushing each.
func (s *Server) writeStream(w http.ResponseWriter, r *http.Request, p plan) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(typ string, payload any) bool {
		b, _ := json.Marshal(chunk{typ, p.runID, "AGENT", payload})
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		if s.delay > 0 {
			select {
			case <-time.After(s.delay):
			case <-r.Context().Done():
				return false
			}
		}
		return true
	}
	finish := func(reason string, u usage) map[string]any {
		return map[string]any{"stepResult": map[string]any{"reason": reason, "isContinued": reason == "tool-calls"},
			"metadata": map[string]any{"id": "mock-resp-1", "modelId": p.model}, "output": map[string]any{"usage": u}}
	}
	if !send("start", map[string]any{"id": p.agent.ID, "messageId": "msg-" + p.runID}) ||
		!send("step-start", map[string]any{"request": map[string]any{}, "warnings": []any{}}) {
		return
	}
	if p.reply.Error != "" {
		_ = send("error", map[string]any{"type": "error", "error": map[string]any{"message": p.reply.Error, "name": "Error"}}) &&
			send("finish", finish("error", mkUsage(0, 0)))
		fmt.Fprint(w, "data: [DONE]\n\n")
		return
	}
	if len(p.calls) > 0 {
		for i, c := range p.calls {
			args := c["args"].(json.RawMessage)
			if !send("tool-call-input-streaming-start", map[string]any{"toolCallId": c["toolCallId"], "toolName": c["toolName"]}) ||
				!send("tool-call-delta", map[string]any{"argsTextDelta": string(args), "toolCallId": c["toolCallId"], "toolName": c["toolName"]}) ||
				!send("tool-call-input-streaming-end", map[string]any{"toolCallId": c["toolCallId"]}) ||
				!send("tool-call", c) || !send("tool-result", p.results[i]) {
				return
			}
		}
		if !send("step-finish", finish("tool-calls", p.toolUsage())) ||
			!send("step-start", map[string]any{"request": map[string]any{}, "warnings": []any{}}) {
			return
		}
	}
	if !send("text-start", map[string]any{"id": "txt-0"}) {
		return
	}
	for _, word := range splitWords(p.reply.Text) {
		if !send("text-delta", map[string]any{"id": "txt-0", "text": word}) {
			return
		}
	}
	if !send("text-end", map[string]any{"id": "txt-0"}) ||
		!send("step-finish", finish("stop", p.textUsage())) ||
		!send("finish", finish("stop", p.total())) {
		return
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// splitWords splits text into words that keep their trailing space.
func splitWords(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexByte(text, ' ')
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}

// lastUserText finds the prompt in messages: a string, strings, or
// messages with string or part-list content. ok is false for input the
// server would refuse.
func lastUserText(raw json.RawMessage) (text string, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return "", false
	}
	for _, item := range list {
		if json.Unmarshal(item, &s) == nil {
			text = s
			continue
		}
		var m struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
			Parts   []struct {
				Type, Text string
			} `json:"parts"`
		}
		if json.Unmarshal(item, &m) != nil {
			return "", false
		}
		if m.Role != "user" {
			continue
		}
		if json.Unmarshal(m.Content, &s) == nil {
			text = s
			continue
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		_ = json.Unmarshal(m.Content, &parts)
		if len(parts) == 0 {
			for _, p := range m.Parts {
				parts = append(parts, struct {
					Type string `json:"type"`
					Text string `json:"text"`
				}{p.Type, p.Text})
			}
		}
		var b strings.Builder
		for _, p := range parts {
			if p.Type == "text" {
				b.WriteString(p.Text)
			}
		}
		text = b.String()
	}
	return text, true
}

func threadID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.ID
}

// remember stores the prompt in the thread and returns the earlier ones as
// the server's remembered messages.
func (s *Server) remember(thread, resource, prompt string) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.threads[thread]
	s.threads[thread] = append(prev, prompt)
	out := make([]any, 0, len(prev))
	for i, t := range prev {
		out = append(out, map[string]any{
			"id": fmt.Sprintf("%s-%d", thread, i), "role": "user", "threadId": thread, "resourceId": resource,
			"content": map[string]any{"format": 2, "parts": []any{map[string]any{"type": "text", "text": t}}, "content": t},
		})
	}
	return out
}
