package mastratest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if s.fault(w, r) {
		return
	}
	if r.URL.Path == "/health" && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		notFound(w)
		return
	}
	if s.check != nil {
		// Like the real server: strip the literal "Bearer " and check the rest.
		tok := strings.Replace(r.Header.Get("Authorization"), "Bearer ", "", 1)
		if tok == "" || s.check(r.Context(), tok) != nil {
			writeError(w, http.StatusUnauthorized, "Invalid or expired token")
			return
		}
	}
	seg := strings.Split(rest, "/")
	if seg[0] != "agents" {
		notFound(w)
		return
	}
	switch {
	case len(seg) == 1 && r.Method == http.MethodGet:
		s.listAgents(w)
	case len(seg) == 2 && r.Method == http.MethodGet:
		if a, ok := s.agent(w, seg[1]); ok {
			writeJSON(w, http.StatusOK, agentJSON(a, false))
		}
	case len(seg) == 4 && seg[2] == "tools" && r.Method == http.MethodGet:
		if a, ok := s.agent(w, seg[1]); ok {
			if t, ok := findTool(w, a, seg[3]); ok {
				writeJSON(w, http.StatusOK, toolJSON(t))
			}
		}
	case len(seg) == 5 && seg[2] == "tools" && seg[4] == "execute" && r.Method == http.MethodPost:
		if a, ok := s.agent(w, seg[1]); ok {
			if t, ok := findTool(w, a, seg[3]); ok {
				s.executeTool(w, r, t)
			}
		}
	case len(seg) == 3 && (seg[2] == "generate" || seg[2] == "stream") && r.Method == http.MethodPost:
		if a, ok := s.agent(w, seg[1]); ok {
			s.run(w, r, a, seg[2] == "stream")
		}
	case len(seg) == 3 && seg[2] == "suspended-runs" && r.Method == http.MethodGet:
		if _, ok := s.agent(w, seg[1]); ok {
			s.suspendedRuns(w, seg[1])
		}
	case len(seg) == 3 && approvalRoutes[seg[2]] && r.Method == http.MethodPost:
		if _, ok := s.agent(w, seg[1]); ok {
			s.resume(w, r, seg[2])
		}
	default:
		notFound(w)
	}
}

// fault answers r with an injected fault, if one matches.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	var f *Fault
	for i := range s.faults {
		if strings.HasPrefix(r.URL.Path, s.faults[i].Path) {
			f = &s.faults[i]
			break
		}
	}
	var hit Fault
	if f != nil {
		hit = *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = removeFault(s.faults, f)
			}
		}
	}
	s.mu.Unlock()
	if f == nil {
		return false
	}
	if hit.Status == 0 {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if hit.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((hit.RetryAfter+time.Second-1)/time.Second)))
	}
	body := hit.Body
	if body == "" {
		body = fmt.Sprintf(`{"error":%q}`, http.StatusText(hit.Status))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(hit.Status)
	io.WriteString(w, body)
	return true
}

func removeFault(fs []Fault, f *Fault) []Fault {
	for i := range fs {
		if &fs[i] == f {
			return append(fs[:i:i], fs[i+1:]...)
		}
	}
	return fs
}

func (s *Server) agent(w http.ResponseWriter, id string) (Agent, bool) {
	s.mu.Lock()
	a, ok := s.agents[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Agent with id "+id+" not found")
	}
	return a, ok
}

func findTool(w http.ResponseWriter, a Agent, id string) (Tool, bool) {
	for _, t := range a.Tools {
		if t.ID == id {
			return t, true
		}
	}
	writeError(w, http.StatusNotFound, "Tool not found")
	return Tool{}, false
}

func (s *Server) listAgents(w http.ResponseWriter) {
	s.mu.Lock()
	out := make(map[string]any, len(s.agents))
	for _, id := range s.order {
		out[id] = agentJSON(s.agents[id], true)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func agentJSON(a Agent, withID bool) map[string]any {
	tools := map[string]any{}
	for _, t := range a.Tools {
		tools[t.ID] = toolJSON(t)
	}
	m := map[string]any{
		"name": a.Name, "description": a.Description, "instructions": a.Instructions,
		"agents": map[string]any{}, "tools": tools, "workflows": map[string]any{},
		"skills": []any{}, "workspaceTools": []any{}, "browserTools": []any{}, "hasBrowser": false,
		"inputProcessors": []any{}, "outputProcessors": []any{},
		"provider": "mock", "modelId": modelID(a), "modelVersion": "v3", "supportsMemory": true,
		"defaultOptions": map[string]any{}, "source": "code",
	}
	if withID {
		m["id"] = a.ID
	}
	return m
}

// toolJSON writes schemas as the server does: strings holding {"json": schema}.
func toolJSON(t Tool) map[string]any {
	m := map[string]any{"id": t.ID, "description": t.Description, "requireApproval": t.RequireApproval}
	for k, schema := range map[string]json.RawMessage{"inputSchema": t.InputSchema, "outputSchema": t.OutputSchema} {
		if schema != nil {
			b, _ := json.Marshal(map[string]json.RawMessage{"json": schema})
			m[k] = string(b)
		}
	}
	return m
}

func (s *Server) executeTool(w http.ResponseWriter, r *http.Request, t Tool) {
	var body struct {
		Data json.RawMessage `json:"data"`
	}
	if !readBody(w, r, &body) {
		return
	}
	if body.Data == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
			"issues": []map[string]string{{"field": "data", "message": "Invalid input: expected record, received undefined"}}})
		return
	}
	if t.Execute == nil {
		writeError(w, http.StatusInternalServerError, "Tool has no execute function")
		return
	}
	out, err := t.Execute(body.Data)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// readBody decodes a JSON body the way the real server does: a body
// without a JSON content type counts as none.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4_500_000))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large")
		return false
	}
	if mt != "application/json" || len(b) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
			"issues": []map[string]string{{"field": "root", "message": "Invalid input: expected object, received undefined"}}})
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid request body",
			"issues": []map[string]string{{"field": "body", "message": err.Error()}}})
		return false
	}
	return true
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "404 Not Found")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func modelID(a Agent) string {
	if a.ModelID == "" {
		return "mock"
	}
	return a.ModelID
}
