package rest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	mastra "github.com/mastra-community/mastra-go"
)

func errResp(status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Header: http.Header{"X-Request-Id": {"req_1"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: &http.Request{Method: "POST", URL: &url.URL{Path: "/api/agents/a/generate", RawQuery: "secret=x"}},
	}
}

func TestNewAPIError(t *testing.T) {
	for _, tc := range []struct {
		status       int
		body         string
		message      string
		code         string
		issues       int
		textContains string
	}{
		{404, `{"error":"Agent with id x not found"}`, "Agent with id x not found", "", 0, "404 Not Found: Agent with id x not found"},
		{400, `{"error":"Invalid request body","issues":[{"field":"messages","message":"Invalid input"}]}`, "Invalid request body", "", 1, "messages: Invalid input"},
		{422, `{"error":{"code":"MODEL_NOT_ALLOWED","message":"model not allowed"}}`, "model not allowed", "MODEL_NOT_ALLOWED", 0, "422"},
		{403, `{"error":"Forbidden","message":"Missing required permission: agents:execute"}`, "Forbidden: Missing required permission: agents:execute", "", 0, "agents:execute"},
		{404, "404 Not Found", "404 Not Found", "", 0, "404 Not Found"},
		{502, "<html>\n<h1>Bad gateway</h1>", "<html>", "", 0, "502"},
		{500, "", "Internal Server Error", "", 0, "500 Internal Server Error"},
		{500, `{"error":42}`, "Internal Server Error", "", 0, "500"},
	} {
		e := NewAPIError(errResp(tc.status, tc.body))
		if e.Message != tc.message || e.Code != tc.code || len(e.Issues) != tc.issues {
			t.Errorf("%d %q: got message %q code %q issues %d", tc.status, tc.body, e.Message, e.Code, len(e.Issues))
		}
		if !strings.Contains(e.Error(), tc.textContains) || strings.Contains(e.Error(), "secret") {
			t.Errorf("%d %q: Error() = %q", tc.status, tc.body, e.Error())
		}
		if e.RequestID != "req_1" || e.Path != "/api/agents/a/generate" || e.Method != "POST" {
			t.Errorf("request details: %+v", e)
		}
	}
	big := NewAPIError(errResp(500, strings.Repeat("x", 3*mastra.MaxErrorBody)))
	if len(big.Body) != mastra.MaxErrorBody || len(big.Message) > 210 {
		t.Errorf("body %d, message %d bytes: not bounded", len(big.Body), len(big.Message))
	}
}

func FuzzNewAPIError(f *testing.F) {
	f.Add(400, []byte(`{"error":"Invalid request body","issues":[{"field":"messages","message":"Invalid input"}]}`))
	f.Add(422, []byte(`{"error":{"code":"X","message":"y"},"message":"z"}`))
	f.Add(404, []byte("404 Not Found"))
	f.Add(500, []byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := NewAPIError(errResp(status, string(body)))
		text := e.Error()
		if !utf8.ValidString(e.Message) {
			t.Fatalf("message not valid UTF-8: %q", e.Message)
		}
		if e.Message == "" && http.StatusText(status) != "" {
			t.Fatalf("empty message for %d %q", status, body)
		}
		if len(e.Body) > mastra.MaxErrorBody || text == "" {
			t.Fatalf("bad error %q", text)
		}
	})
}
