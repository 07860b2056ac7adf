package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"sync"

	"github.com/mastra-community/mastra-go/internal/rest"
	"github.com/mastra-community/mastra-go/internal/sse"
)

// Chunk is one event of an agent stream. Every chunk has a Type; most
// carry a Payload whose shape depends on it. The accessor methods decode
// the common ones; Payload and Raw keep everything for the others.
type Chunk struct {
	// Type is the chunk type: "start", "text-delta", "tool-call",
	// "tool-result", "step-finish", "finish", ...
	Type string `json:"type"`
	// RunID is the id of the run that sent the chunk.
	RunID string `json:"runId"`
	// From is the sender: "AGENT", "USER", "SYSTEM", "WORKFLOW" or "NETWORK".
	From string `json:"from"`
	// Payload is the chunk's payload as JSON, nil for chunk types that
	// have none.
	Payload json.RawMessage `json:"payload"`
	// Raw is the whole chunk as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// TextDelta returns the text of a "text-delta" chunk.
func (c Chunk) TextDelta() (string, bool) {
	if c.Type != "text-delta" {
		return "", false
	}
	return stringField(c.Payload, "text")
}

// ToolCall returns the call of a "tool-call" chunk.
func (c Chunk) ToolCall() (ToolCall, bool) {
	var t ToolCall
	if c.Type != "tool-call" || json.Unmarshal(c.Payload, &t) != nil {
		return ToolCall{}, false
	}
	return t, true
}

// ToolResult returns the result of a "tool-result" chunk.
func (c Chunk) ToolResult() (ToolResult, bool) {
	var t ToolResult
	if c.Type != "tool-result" || json.Unmarshal(c.Payload, &t) != nil {
		return ToolResult{}, false
	}
	return t, true
}

// Object returns the structured output of an "object" chunk (the object
// so far) or an "object-result" chunk (the final, validated object). These
// chunks carry it in Raw, not in Payload.
func (c Chunk) Object() (json.RawMessage, bool) {
	if c.Type != "object" && c.Type != "object-result" {
		return nil, false
	}
	var obj json.RawMessage
	err := scanObject(c.Raw, func(key, val []byte) error {
		if string(key) == "object" {
			obj = val
		}
		return nil
	})
	return obj, err == nil && obj != nil
}

// StepFinish is the payload of a "step-finish" chunk.
type StepFinish struct {
	// Reason is why the step ended ("tool-calls", "stop", ...).
	Reason string
	// IsContinued reports whether another step follows.
	IsContinued bool
	// Usage is the step's token usage.
	Usage Usage
}

// Finish is the payload of a "finish" chunk: the end of the run.
type Finish struct {
	// Reason is the run's finish reason ("stop", "length", "error", ...).
	Reason string
	// Usage is the token usage of the whole run.
	Usage Usage
}

type finishPayload struct {
	StepResult struct {
		Reason      string `json:"reason"`
		IsContinued bool   `json:"isContinued"`
	} `json:"stepResult"`
	Output struct {
		Usage Usage `json:"usage"`
	} `json:"output"`
}

// StepFinish returns the payload of a "step-finish" chunk.
func (c Chunk) StepFinish() (StepFinish, bool) {
	var p finishPayload
	if c.Type != "step-finish" || json.Unmarshal(c.Payload, &p) != nil {
		return StepFinish{}, false
	}
	return StepFinish{Reason: p.StepResult.Reason, IsContinued: p.StepResult.IsContinued, Usage: p.Output.Usage}, true
}

// Finish returns the payload of a "finish" chunk.
func (c Chunk) Finish() (Finish, bool) {
	var p finishPayload
	if c.Type != "finish" || json.Unmarshal(c.Payload, &p) != nil {
		return Finish{}, false
	}
	return Finish{Reason: p.StepResult.Reason, Usage: p.Output.Usage}, true
}

// StreamError is the error an "error" chunk becomes: the run failed on the
// server after the stream had started (a model or tool failure).
type StreamError struct {
	// RunID is the run that failed.
	RunID string
	// Name, Message and Code describe the server-side error (Code is set
	// for Mastra's own errors, such as
	// "STRUCTURED_OUTPUT_SCHEMA_VALIDATION_FAILED").
	Name    string
	Message string
	Code    string
	// Chunk is the error chunk as the server sent it (with the stack
	// trace, when the server includes one).
	Chunk Chunk
}

// Error returns the server's error message.
func (e *StreamError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "unknown error"
	}
	return "mastra: agent run failed: " + msg
}

func newStreamError(c Chunk) *StreamError {
	e := &StreamError{RunID: c.RunID, Chunk: c}
	var p struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(c.Payload, &p) != nil {
		return e
	}
	var obj struct {
		Name    string `json:"name"`
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	if json.Unmarshal(p.Error, &e.Message) != nil && json.Unmarshal(p.Error, &obj) == nil {
		e.Name, e.Message, e.Code = obj.Name, obj.Message, obj.Code
	}
	return e
}

// ErrTruncated is wrapped by the error a stream yields when its connection
// ended in the middle of an event or of the HTTP body: the answer is
// incomplete.
var ErrTruncated = errors.New("mastra: stream cut off before its end")

// ErrStreamConsumed is yielded when a [Stream]'s chunks are iterated a
// second time.
var ErrStreamConsumed = errors.New("mastra: stream already consumed")

// Stream is an agent's answer arriving as it is made. Iterate it once with
// [Stream.Chunks]; close it with [Stream.Close] when you stop early
// (Chunks closes it when the loop ends).
type Stream struct {
	ctx       context.Context
	body      io.ReadCloser
	dec       *sse.Decoder
	lastRunID string // reused while the run id does not change

	mu       sync.Mutex
	consumed bool
	closed   bool
	closeErr error
}

func newStream(ctx context.Context, resp *http.Response) (*Stream, error) {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "text/event-stream" {
		resp.Body.Close()
		return nil, fmt.Errorf("mastra: %s %s answered %q, not an event stream",
			resp.Request.Method, resp.Request.URL.Path, resp.Header.Get("Content-Type"))
	}
	return &Stream{ctx: ctx, body: resp.Body, dec: sse.NewDecoder(resp.Body)}, nil
}

// Chunks returns the stream's chunks, each as soon as the server sent it.
//
// Iteration ends without error at the server's "[DONE]" or at a clean end
// of the body. It ends with an error (and then nothing more) when:
//   - the server sent an "error" chunk: a *StreamError, yielded together
//     with that chunk;
//   - the connection was cut: an error wrapping [ErrTruncated];
//   - the context was cancelled or expired: ctx.Err();
//   - a chunk was not valid JSON.
//
// The body is closed when the loop ends, also by break. A Stream can be
// iterated only once.
func (st *Stream) Chunks() iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		st.mu.Lock()
		used := st.consumed
		st.consumed = true
		st.mu.Unlock()
		if used {
			yield(Chunk{}, ErrStreamConsumed)
			return
		}
		defer st.Close()
		for {
			c, done, err := st.next()
			if done {
				return
			}
			if err != nil {
				yield(c, err)
				return
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// next reads one chunk. done reports a clean end.
func (st *Stream) next() (c Chunk, done bool, err error) {
	for {
		ev, err := st.dec.Next()
		if err != nil {
			return Chunk{}, errors.Is(err, io.EOF), st.readError(err)
		}
		data := ev.Data
		if len(data) == 0 {
			continue
		}
		if string(data) == "[DONE]" {
			return Chunk{}, true, nil
		}
		raw := append(json.RawMessage(nil), data...)
		if err := decodeChunk(raw, &c, st.lastRunID); err != nil {
			return Chunk{}, false, fmt.Errorf("mastra: stream chunk is not a valid JSON object: %w", err)
		}
		st.lastRunID = c.RunID
		if c.Type == "error" {
			return c, false, newStreamError(c)
		}
		return c, false, nil
	}
}

func (st *Stream) readError(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	if ctxErr := st.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	st.mu.Lock()
	closed := st.closed
	st.mu.Unlock()
	if closed {
		return errors.New("mastra: stream closed")
	}
	return fmt.Errorf("mastra: reading stream: %w", err)
}

// Close closes the stream's connection. It is safe to call more than once
// and from another goroutine than the one iterating.
func (st *Stream) Close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.closed {
		st.closed = true
		st.closeErr = st.body.Close()
	}
	return st.closeErr
}

// Collect reads the rest of the stream and returns its summary. It stops
// at the first error and returns what was read so far with it.
func (st *Stream) Collect() (*StreamResult, error) {
	var res StreamResult
	for c, err := range st.Chunks() {
		if err != nil {
			return &res, err
		}
		res.Add(c)
	}
	return &res, nil
}

// StreamResult sums up a stream: feed it every chunk with Add, or let
// [Stream.Collect] do it.
type StreamResult struct {
	// Text is the concatenated text of all text deltas.
	Text string
	// FinishReason is the reason of the "finish" chunk; empty when the
	// stream had none (a run suspended for approval ends without one).
	FinishReason string
	// Usage is the token usage of the whole run, from the "finish" chunk.
	Usage Usage
	// ToolCalls and ToolResults are the tool calls and results seen.
	ToolCalls   []ToolCall
	ToolResults []ToolResult
	// RunID is the run's id.
	RunID string
	// Object is the structured output of the "object-result" chunk, when
	// GenerateParams.StructuredOutput asked for one; decode it with
	// DecodeObject.
	Object json.RawMessage
	// Chunks counts the chunks seen.
	Chunks int
}

// DecodeObject decodes the structured output into v (a pointer). It
// returns ErrNoObject when the stream had none.
func (r *StreamResult) DecodeObject(v any) error { return decodeObject(r.Object, v) }

// Add takes one chunk into account.
func (r *StreamResult) Add(c Chunk) {
	r.Chunks++
	if r.RunID == "" {
		r.RunID = c.RunID
	}
	switch c.Type {
	case "text-delta":
		if t, ok := c.TextDelta(); ok {
			r.Text += t
		}
	case "tool-call":
		if t, ok := c.ToolCall(); ok {
			r.ToolCalls = append(r.ToolCalls, t)
		}
	case "tool-result":
		if t, ok := c.ToolResult(); ok {
			r.ToolResults = append(r.ToolResults, t)
		}
	case "object-result":
		if obj, ok := c.Object(); ok {
			r.Object = obj
		}
	case "finish":
		if f, ok := c.Finish(); ok {
			r.FinishReason, r.Usage = f.Reason, f.Usage
		}
	}
}

// Stream runs an agent and returns its answer as a stream of chunks.
// Failures before the stream starts (unknown agent, invalid input, auth)
// are returned here as errors; failures after it started arrive through
// [Stream.Chunks]. A stream is never retried once the server answered.
//
// The context bounds the whole stream: cancelling it stops the iteration
// and closes the connection.
func (s *Service) Stream(ctx context.Context, agentID string, params GenerateParams) (*Stream, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return s.stream(ctx, rest.Path("agents", agentID, "stream"), params)
}

func (s *Service) stream(ctx context.Context, path string, body any) (*Stream, error) {
	resp, err := s.rest.Send(ctx, rest.Request{
		Method: http.MethodPost, Path: path, Body: body, Kind: rest.Run, Accept: "text/event-stream",
	})
	if err != nil {
		return nil, err
	}
	return newStream(ctx, resp)
}
