// Package rest is the request engine shared by the SDK's API packages: it
// builds URLs, encodes JSON bodies, applies the retry policy, and turns
// non-2xx answers into [mastra.APIError].
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"

	mastra "github.com/mastra-community/mastra-go"
)

// Kind says how safe a request is to send again.
type Kind int

const (
	// Idempotent requests (reads, tool lookups) are retried on connection
	// errors, 408, 429 and 5xx.
	Idempotent Kind = iota
	// Run requests start an agent run. They are retried only where the
	// server cannot have started it: a failed dial, 429 and 503.
	Run
)

// Request describes one call.
type Request struct {
	Method string
	// Path is the route below the API prefix, with escaped segments; build
	// it with [Path].
	Path  string
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	Kind Kind
	// Accept is the Accept header; empty means application/json.
	Accept string
}

// Client sends requests to one Mastra server.
type Client struct {
	base      string // scheme://host/prefix, no trailing slash
	header    http.Header
	userAgent string
	logger    *slog.Logger
	idem      *retryablehttp.Client
	run       *retryablehttp.Client
}

// Config configures a Client. All fields are required but Header and Logger.
type Config struct {
	BaseURL   *url.URL // with the API prefix as its path
	HTTP      *http.Client
	Header    http.Header
	UserAgent string
	Logger    *slog.Logger
	Retry     RetryPolicy
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	base := strings.TrimSuffix(cfg.BaseURL.String(), "/")
	c := &Client{
		base:      base,
		header:    cfg.Header.Clone(),
		userAgent: cfg.UserAgent,
		logger:    cfg.Logger,
	}
	c.idem = cfg.Retry.client(cfg.HTTP, retryIdempotent, c.logRetry)
	run := retryRun
	if cfg.Retry.RetryRuns {
		run = retryIdempotent
	}
	c.run = cfg.Retry.client(cfg.HTTP, run, c.logRetry)
	return c
}

func (c *Client) logRetry(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if attempt == 0 || c.logger == nil {
		return
	}
	c.logger.LogAttrs(req.Context(), slog.LevelDebug, "mastra: retrying request",
		slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt))
}

// Path joins segments into a route path, escaping each one.
func Path(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// Send sends r. It returns the answer with its body open when the status is
// 2xx; any other status is read, closed and returned as a *mastra.APIError.
// A cancelled or expired context yields ctx.Err().
func (c *Client) Send(ctx context.Context, r Request) (*http.Response, error) {
	u := c.base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	var body any
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, fmt.Errorf("mastra: encoding %s %s request: %w", r.Method, r.Path, err)
		}
		body = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("mastra: building request: %w", err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	accept := r.Accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	hc := c.idem
	if r.Kind == Run {
		hc = c.run
	}
	resp, err := hc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("mastra: %s %s: %w", r.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, NewAPIError(resp)
	}
	return resp, nil
}

// JSON sends r and decodes the 2xx answer into out (when out is not nil).
// It returns the raw body so callers can keep what they do not decode.
func (c *Client) JSON(ctx context.Context, r Request, out any) ([]byte, error) {
	resp, err := c.Send(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := readAll(resp)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("mastra: reading %s %s answer: %w", r.Method, resp.Request.URL.Path, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("mastra: decoding %s %s answer (%s): %w",
				r.Method, resp.Request.URL.Path, resp.Header.Get("Content-Type"), err)
		}
	}
	return raw, nil
}

// readAll reads the body, sizing the buffer from Content-Length when the
// server sent one.
func readAll(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < 1<<30 {
		buf := bytes.NewBuffer(make([]byte, 0, n+1))
		_, err := buf.ReadFrom(resp.Body)
		return buf.Bytes(), err
	}
	return io.ReadAll(resp.Body)
}

// NewAPIError reads (at most mastra.MaxErrorBody of) resp's body and
// describes the failure. It does not close the body.
func NewAPIError(resp *http.Response) *mastra.APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, mastra.MaxErrorBody))
	e := &mastra.APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		Body:       body,
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.Path
	}
	parseErrorBody(e, body)
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

func parseErrorBody(e *mastra.APIError, body []byte) {
	var j struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Issues  []mastra.Issue  `json:"issues"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &j) == nil {
		e.Issues = j.Issues
		var s string
		var obj struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(j.Error, &s) == nil:
			e.Message = s
		case json.Unmarshal(j.Error, &obj) == nil:
			e.Message, e.Code = obj.Message, obj.Code
		}
		if j.Message != "" && j.Message != e.Message {
			if e.Message == "" {
				e.Message = j.Message
			} else {
				e.Message += ": " + j.Message
			}
		}
		return
	}
	// Plain text (an unknown route answers "404 Not Found" as text/plain):
	// keep its first line, bounded.
	line, _, _ := strings.Cut(string(trimmed), "\n")
	line = strings.TrimSpace(line)
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	e.Message = strings.ToValidUTF8(line, "")
}
