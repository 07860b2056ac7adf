package mastratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type runBody struct {
	Messages         json.RawMessage `json:"messages"`
	StructuredOutput *struct {
		Schema json.RawMessage `json:"schema"`
	} `json:"structuredOutput"`
	RunID  string `json:"runId"`
	Memory *struct {
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

// objectChunk asks send for a structured-output chunk, which has "object"
// instead of "payload".
type objectChunk struct{ object json.RawMessage }

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
	if body.Memory != nil && body.Memory.Resource == "" {
		writeError(w, http.StatusBadRequest, "A resource ID is required when using memory. Provide memory.resource in the request body, or configure server auth with mapUserToResourceId to derive it from the authenticated user.")
		return
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
	p := &plan{agent: a, reply: reply, runID: runID, prompt: prompt, model: modelID(a)}
	p.execute()
	if body.StructuredOutput != nil && reply.Error == "" && p.waiting == nil {
		p.structure(body.StructuredOutput.Schema)
	}
	var remembered []any
	if body.Memory != nil && reply.Error == "" {
		remembered = s.remember(threadID(body.Memory.Thread), body.Memory.Resource, prompt, reply.Text)
	}
	if p.waiting != nil {
		p.suspendedAt = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		s.mu.Lock()
		s.waiting[runID] = p
		s.mu.Unlock()
	}
	if stream {
		s.writeStream(w, r, p, true)
		return
	}
	if reply.Error != "" || p.objectErr != "" {
		writeError(w, http.StatusInternalServerError, reply.Error+p.objectErr)
		return
	}
	writeJSON(w, http.StatusOK, p.fullOutput(remembered))
}

// structure finds the structured output in the reply's text, as Mastra
// does with a model that answers in text: the JSON object in it, checked
// against the schema's required properties and their types.
func (p *plan) structure(schema json.RawMessage) {
	const prefix = "Structured output validation failed: - "
	text := p.reply.Text
	i, j := strings.IndexByte(text, '{'), strings.LastIndexByte(text, '}')
	var obj map[string]json.RawMessage
	if i < 0 || j < i || json.Unmarshal([]byte(text[i:j+1]), &obj) != nil {
		p.objectErr = prefix + "root: must be object"
		return
	}
	var sch struct {
		Required   []string `json:"required"`
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &sch)
	for _, name := range sch.Required {
		if _, ok := obj[name]; !ok {
			p.objectErr = prefix + "root: must have required property '" + name + "'"
			return
		}
	}
	for name, prop := range sch.Properties {
		if v, ok := obj[name]; ok && prop.Type != "" && !hasType(v, prop.Type) {
			p.objectErr = prefix + name + ": must be " + prop.Type
			return
		}
	}
	p.object = json.RawMessage(text[i : j+1])
}

// hasType reports whether the JSON value v has the JSON Schema type t.
func hasType(v json.RawMessage, t string) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	switch x := x.(type) {
	case string:
		return t == "string"
	case float64:
		return t == "number" || (t == "integer" && x == float64(int64(x)))
	case bool:
		return t == "boolean"
	case map[string]any:
		return t == "object"
	case []any:
		return t == "array"
	case nil:
		return t == "null"
	}
	return false
}

var approvalRoutes = map[string]bool{
	"approve-tool-call": true, "decline-tool-call": true, "resume-stream": true,
	"approve-tool-call-generate": true, "decline-tool-call-generate": true,
}

// suspendedRuns lists the runs of an agent that wait for approval.
func (s *Server) suspendedRuns(w http.ResponseWriter, agentID string) {
	s.mu.Lock()
	runs := []any{}
	for _, p := range s.waiting {
		if p.agent.ID != agentID {
			continue
		}
		runs = append(runs, map[string]any{"runId": p.runID, "status": "suspended", "suspendedAt": p.suspendedAt,
			"toolCalls": []any{map[string]any{"toolCallId": p.waiting["toolCallId"], "toolName": p.waiting["toolName"],
				"args": p.waiting["args"], "requiresApproval": true}}})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs, "total": len(runs)})
}

// resume answers a tool call that waits for approval.
func (s *Server) resume(w http.ResponseWriter, r *http.Request, route string) {
	var body struct {
		RunID      *string `json:"runId"`
		ToolCallID string  `json:"toolCallId"`
		Reason     string  `json:"reason"`
		ResumeData *struct {
			Approved bool   `json:"approved"`
			Reason   string `json:"reason"`
		} `json:"resumeData"`
	}
	if !readBody(w, r, &body) {
		return
	}
	if route == "resume-stream" {
		if body.ResumeData == nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
				"issues": []map[string]string{{"field": "resumeData", "message": "Invalid input"}}})
			return
		}
		route, body.Reason = "decline-tool-call", body.ResumeData.Reason
		if body.ResumeData.Approved {
			route = "approve-tool-call"
		}
	}
	if body.RunID == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
			"issues": []map[string]string{{"field": "runId", "message": "Invalid input: expected string, received undefined"}}})
		return
	}
	s.mu.Lock()
	p := s.waiting[*body.RunID]
	if body.ToolCallID == "" && p != nil {
		body.ToolCallID, _ = p.waiting["toolCallId"].(string)
	}
	if p != nil && p.waiting["toolCallId"] == body.ToolCallID {
		delete(s.waiting, *body.RunID)
	} else {
		p = nil
	}
	s.mu.Unlock()
	if p == nil {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("Agent could not find a suspended run for runId %q and tool call %q.", *body.RunID, body.ToolCallID))
		return
	}
	call := p.waiting
	p.waiting = nil
	if strings.HasPrefix(route, "approve") {
		p.results = append(p.results, p.runTool(call))
	} else {
		p.declined = true
		p.reply.Text = p.reply.DeclinedText
		p.denied = map[string]any{"toolCallId": call["toolCallId"], "toolName": call["toolName"], "args": call["args"],
			"approval": map[string]any{"id": call["toolCallId"], "approved": false, "reason": body.Reason}}
	}
	if strings.HasSuffix(route, "-generate") {
		writeJSON(w, http.StatusOK, p.fullOutput(nil))
		return
	}
	s.writeStream(w, r, p, false)
}

// plan is one scripted run, tool results computed.
type plan struct {
	agent         Agent
	reply         Reply
	runID, prompt string
	model         string
	calls         []map[string]any // tool-call payloads
	results       []map[string]any // tool-result payloads
	waiting       map[string]any   // the tool call waiting for approval, if any
	declined      bool             // the waiting call was declined
	denied        map[string]any   // the tool-output-denied payload of a declined call
	suspendedAt   string
	object        json.RawMessage // the structured output, when asked for
	objectErr     string          // why the structured output is invalid
}

func (p *plan) execute() {
	for i, tc := range p.reply.ToolCalls {
		args, _ := json.Marshal(tc.Args)
		id := fmt.Sprintf("call_%s_%03d", strings.ReplaceAll(tc.Tool, "-", "_"), i+1)
		call := map[string]any{"toolCallId": id, "toolName": tc.Tool, "args": json.RawMessage(args)}
		p.calls = append(p.calls, call)
		if t, ok := p.tool(tc.Tool); ok && t.RequireApproval {
			p.waiting = call
			return
		}
		p.results = append(p.results, p.runTool(call))
	}
}

func (p *plan) tool(id string) (Tool, bool) {
	for _, t := range p.agent.Tools {
		if t.ID == id {
			return t, true
		}
	}
	return Tool{}, false
}

// runTool executes a call and returns its tool-result payload.
func (p *plan) runTool(call map[string]any) map[string]any {
	args := call["args"].(json.RawMessage)
	res := map[string]any{"args": args, "toolCallId": call["toolCallId"], "toolName": call["toolName"]}
	var out any = map[string]string{"error": "tool not found"}
	isError := true
	if t, ok := p.tool(call["toolName"].(string)); ok && t.Execute != nil {
		if v, err := t.Execute(args); err == nil {
			out, isError = v, false
		} else {
			out = map[string]string{"error": err.Error()}
		}
	}
	res["result"] = out
	if isError {
		res["isError"] = true
	}
	return res
}

// resumeSchema is what a tool call waiting for approval accepts.
const resumeSchema = `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"approved":{"type":"boolean","description":"Controls if the tool call is approved or not, should be true when approved and false when declined"},"reason":{"description":"Optional explanation for the decision, surfaced to the model when the tool call is declined","type":"string"}},"required":["approved"],"additionalProperties":false}`

func (p *plan) suspendPayload() map[string]any {
	return map[string]any{"toolCallId": p.waiting["toolCallId"], "toolName": p.waiting["toolName"],
		"args": p.waiting["args"], "resumeSchema": resumeSchema}
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
	if remembered == nil {
		remembered = []any{}
	}
	if p.waiting != nil {
		return map[string]any{
			"text": "", "usage": map[string]any{}, "totalUsage": map[string]any{"totalTokens": 0}, "steps": []any{},
			"finishReason": "suspended", "warnings": []any{}, "request": map[string]any{}, "reasoning": []any{},
			"toolCalls": p.wrap("tool-call", p.calls), "toolResults": []any{}, "sources": []any{}, "files": []any{},
			"response": map[string]any{"dbMessages": []any{}}, "usedFallbackValue": false, "runId": p.runID,
			"suspendPayload": p.suspendPayload(), "messages": []any{}, "rememberedMessages": remembered,
		}
	}
	var steps []any
	var messages []any
	if len(p.calls) > 0 {
		steps = append(steps, map[string]any{
			"stepType": "initial", "text": "", "finishReason": "tool-calls", "usage": p.toolUsage(),
			"toolCalls": p.wrap("tool-call", p.calls), "toolResults": p.wrap("tool-result", p.results),
			"warnings": []any{}, "request": map[string]any{},
		})
		var callParts, resultParts []any
		for _, c := range p.calls {
			callParts = append(callParts, map[string]any{"type": "tool-call", "toolCallId": c["toolCallId"], "toolName": c["toolName"], "input": c["args"]})
		}
		for _, r := range p.results {
			resultParts = append(resultParts, map[string]any{"type": "tool-result", "toolCallId": r["toolCallId"], "toolName": r["toolName"],
				"output": map[string]any{"type": "json", "value": r["result"]}, "input": r["args"]})
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
	return map[string]any{
		"text": p.reply.Text, "usage": p.total(), "totalUsage": p.total(), "steps": steps,
		"finishReason": "stop", "warnings": []any{}, "request": map[string]any{}, "reasoning": []any{},
		"toolCalls": p.wrap("tool-call", p.calls), "toolResults": p.wrap("tool-result", p.results),
		"sources": []any{}, "files": []any{},
		"response":          map[string]any{"id": "mock-resp-1", "timestamp": "2026-01-01T00:00:00.000Z", "modelId": p.model, "messages": messages},
		"usedFallbackValue": false, "runId": p.runID, "messages": []any{}, "rememberedMessages": remembered,
		"object": p.object,
	}
}

// writeStream sends the run as the server's SSE chunks, flushing each.
// A fresh run starts with "start"; a resumed one (after approval) with the
// tool's result or denial.
func (s *Server) writeStream(w http.ResponseWriter, r *http.Request, p *plan, fresh bool) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(typ string, payload any) bool {
		var b []byte
		if o, ok := payload.(objectChunk); ok {
			b, _ = json.Marshal(map[string]any{"from": "AGENT", "runId": p.runID, "type": typ, "object": o.object})
		} else {
			b, _ = json.Marshal(chunk{typ, p.runID, "AGENT", payload})
		}
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
	stepStart := map[string]any{"request": map[string]any{}, "warnings": []any{}}
	ok := s.streamBody(p, fresh, send, finish, stepStart)
	if ok {
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func (s *Server) streamBody(p *plan, fresh bool, send func(string, any) bool, finish func(string, usage) map[string]any, stepStart any) bool {
	// Structured output chunks carry "object" instead of a payload.
	sendObject := func(typ string, obj json.RawMessage) bool {
		return send(typ, objectChunk{obj})
	}
	if fresh {
		if !send("start", map[string]any{"id": p.agent.ID, "messageId": "msg-" + p.runID}) || !send("step-start", stepStart) {
			return false
		}
		if p.reply.Error != "" {
			return send("error", map[string]any{"type": "error", "error": map[string]any{"message": p.reply.Error, "name": "Error"}}) &&
				send("step-finish", finish("error", mkUsage(0, 0))) && send("finish", finish("error", mkUsage(0, 0)))
		}
		for i, c := range p.calls {
			args := c["args"].(json.RawMessage)
			if !send("tool-call-input-streaming-start", map[string]any{"toolCallId": c["toolCallId"], "toolName": c["toolName"]}) ||
				!send("tool-call-delta", map[string]any{"argsTextDelta": string(args), "toolCallId": c["toolCallId"], "toolName": c["toolName"]}) ||
				!send("tool-call-input-streaming-end", map[string]any{"toolCallId": c["toolCallId"]}) ||
				!send("tool-call", c) {
				return false
			}
			if i < len(p.results) && !send("tool-result", p.results[i]) {
				return false
			}
		}
		if p.waiting != nil {
			// A suspended run ends without step-finish or finish.
			return send("tool-call-approval", p.suspendPayload())
		}
	} else {
		switch {
		case p.declined && !send("tool-output-denied", p.denied):
			return false
		case !p.declined && !send("tool-result", p.results[len(p.results)-1]):
			return false
		}
	}
	if len(p.calls) > 0 && (!send("step-finish", finish("tool-calls", p.toolUsage())) || !send("step-start", stepStart)) {
		return false
	}
	if !send("text-start", map[string]any{"id": "txt-0"}) {
		return false
	}
	words := splitWords(p.reply.Text)
	for i, word := range words {
		if i == len(words)-1 && p.object != nil && !sendObject("object", p.object) {
			return false
		}
		if !send("text-delta", map[string]any{"id": "txt-0", "text": word}) {
			return false
		}
	}
	if !send("text-end", map[string]any{"id": "txt-0"}) {
		return false
	}
	if p.objectErr != "" {
		return send("error", map[string]any{"error": map[string]any{"message": p.objectErr, "domain": "AGENT",
			"category": "SYSTEM", "code": "STRUCTURED_OUTPUT_SCHEMA_VALIDATION_FAILED"}}) &&
			send("step-finish", finish("error", p.textUsage())) && send("finish", finish("error", p.total()))
	}
	if p.object != nil && !sendObject("object-result", p.object) {
		return false
	}
	return send("step-finish", finish("stop", p.textUsage())) &&
		send("finish", finish("stop", p.total()))
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

// remember stores a turn in the thread and returns the earlier turns as
// the server's remembered messages.
func (s *Server) remember(thread, resource, prompt, answer string) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.threads[thread]
	msg := func(role, text string) any {
		return map[string]any{
			"id": fmt.Sprintf("%s-%d", thread, len(s.threads[thread])), "role": role, "threadId": thread, "resourceId": resource,
			"content": map[string]any{"format": 2, "parts": []any{map[string]any{"type": "text", "text": text}}, "content": text},
		}
	}
	s.threads[thread] = append(s.threads[thread], msg("user", prompt))
	s.threads[thread] = append(s.threads[thread], msg("assistant", answer))
	return append([]any{}, prev...)
}
