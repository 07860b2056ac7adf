package sse_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/mastra-community/mastra-go/internal/sse"
)

// ev is a comparable copy of sse.Event.
type ev struct {
	Type  string
	Data  string
	ID    string
	Retry time.Duration
}

// decodeAll decodes everything from r and returns the events and the final
// error (io.EOF on a clean end).
func decodeAll(r io.Reader, max int) ([]ev, error) {
	d := sse.NewDecoder(r)
	d.SetMaxEventSize(max)
	var out []ev
	for {
		e, err := d.Next()
		if err != nil {
			return out, err
		}
		out = append(out, ev{e.Type, string(e.Data), e.ID, e.Retry})
	}
}

type decodeCase struct {
	name string
	in   string
	max  int
	want []ev
	err  error // final error; nil means io.EOF
}

var bigLine = strings.Repeat("x", 2<<20+123)

var decodeCases = []decodeCase{
	{name: "empty", in: ""},
	{name: "single", in: "data: hello\n\n", want: []ev{{Data: "hello"}}},
	{name: "two events", in: "data: a\n\ndata: b\n\n", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "multi-line data", in: "data: a\ndata: b\ndata: c\n\n", want: []ev{{Data: "a\nb\nc"}}},
	{name: "empty data line", in: "data\n\n", want: []ev{{Data: ""}}},
	{name: "empty data value", in: "data:\n\n", want: []ev{{Data: ""}}},
	{name: "two empty data lines", in: "data\ndata\n\n", want: []ev{{Data: "\n"}}},
	{name: "data with trailing empty line", in: "data: a\ndata:\n\n", want: []ev{{Data: "a\n"}}},
	{name: "CRLF", in: "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", want: []ev{{Data: "a\nb"}, {Data: "c"}}},
	{name: "CR", in: "data: a\rdata: b\r\rdata: c\r\r", want: []ev{{Data: "a\nb"}, {Data: "c"}}},
	{name: "mixed terminators", in: "data: a\rdata: b\ndata: c\r\n\rdata: d\n\r\n", want: []ev{{Data: "a\nb\nc"}, {Data: "d"}}},
	{name: "CR then LF is one terminator", in: "data: a\r\n\r\n", want: []ev{{Data: "a"}}},
	{name: "LF CR is two terminators", in: "data: a\n\rdata: b\n\n", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "no space after colon", in: "data:a\n\n", want: []ev{{Data: "a"}}},
	{name: "only one space stripped", in: "data:  a \n\n", want: []ev{{Data: " a "}}},
	{name: "tab not stripped", in: "data:\ta\n\n", want: []ev{{Data: "\ta"}}},
	{name: "colon in value", in: "data: a:b: c\n\n", want: []ev{{Data: "a:b: c"}}},
	{name: "comment only", in: ": hello\n\n", want: nil},
	{name: "connected comment then data", in: ": connected\n\ndata: x\n\n", want: []ev{{Data: "x"}}},
	{name: "comment inside event", in: "data: a\n: note\ndata: b\n\n", want: []ev{{Data: "a\nb"}}},
	{name: "empty comment", in: ":\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "trailing comment after last event", in: "data: a\n\n: bye\n", want: []ev{{Data: "a"}}},
	{name: "BOM", in: "\xEF\xBB\xBFdata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "BOM only once", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n", want: []ev{{Data: "b"}}},
	{name: "BOM not at start", in: "data: a\n\n\xEF\xBB\xBFdata: b\n\n", want: []ev{{Data: "a"}}},
	{name: "BOM then blank line", in: "\xEF\xBB\xBF\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "BOM only", in: "\xEF\xBB\xBF"},
	{name: "field without colon", in: "data\n\n", want: []ev{{Data: ""}}},
	{name: "event without colon resets", in: "event: x\nevent\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "event type", in: "event: add\ndata: 1\n\n", want: []ev{{Type: "add", Data: "1"}}},
	{name: "event type last wins", in: "event: a\nevent: b\ndata: 1\n\n", want: []ev{{Type: "b", Data: "1"}}},
	{name: "event type reset between events", in: "event: a\ndata: 1\n\ndata: 2\n\n", want: []ev{{Type: "a", Data: "1"}, {Data: "2"}}},
	{name: "event type without data discarded", in: "event: a\n\ndata: 2\n\n", want: []ev{{Data: "2"}}},
	{name: "event message", in: "event: message\ndata: 1\n\n", want: []ev{{Type: "message", Data: "1"}}},
	{name: "id", in: "id: 1\ndata: a\n\n", want: []ev{{ID: "1", Data: "a"}}},
	{name: "id persists", in: "id: 1\ndata: a\n\ndata: b\n\n", want: []ev{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}},
	{name: "id reset by empty id", in: "id: 1\ndata: a\n\nid\ndata: b\n\n", want: []ev{{ID: "1", Data: "a"}, {ID: "", Data: "b"}}},
	{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", want: []ev{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}},
	{name: "id in empty block persists", in: "id: 7\n\ndata: a\n\n", want: []ev{{ID: "7", Data: "a"}}},
	{name: "id after data in same block", in: "data: a\nid: 9\n\n", want: []ev{{ID: "9", Data: "a"}}},
	{name: "retry", in: "retry: 1500\ndata: a\n\n", want: []ev{{Retry: 1500 * time.Millisecond, Data: "a"}}},
	{name: "retry persists", in: "retry: 10\n\ndata: a\n\ndata: b\n\n", want: []ev{{Retry: 10 * time.Millisecond, Data: "a"}, {Retry: 10 * time.Millisecond, Data: "b"}}},
	{name: "retry non-digits ignored", in: "retry: 10\nretry: 1a\nretry: -5\nretry:  5\nretry: 5.0\nretry\ndata: a\n\n", want: []ev{{Retry: 10 * time.Millisecond, Data: "a"}}},
	{name: "retry zero", in: "retry: 10\nretry: 0\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "retry huge clamped", in: "retry: 99999999999999999999999999\ndata: a\n\n", want: []ev{{Retry: time.Duration(1<<63-1) / time.Millisecond * time.Millisecond, Data: "a"}}},
	{name: "unknown fields ignored", in: "foo: bar\nDATA: x\ndata : y\nid : z\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "unknown fields only", in: "foo: bar\n\n"},
	{name: "blank lines only", in: "\n\n\r\n\r\r"},
	{name: "NUL in data kept", in: "data: a\x00b\n\n", want: []ev{{Data: "a\x00b"}}},
	{name: "invalid UTF-8 kept", in: "data: \xff\xfe\n\n", want: []ev{{Data: "\xff\xfe"}}},
	{name: "done marker", in: "data: {\"type\":\"start\"}\n\ndata: [DONE]\n\n", want: []ev{{Data: `{"type":"start"}`}, {Data: "[DONE]"}}},

	// End of input.
	{name: "trailing event without blank line", in: "data: a\n\ndata: b\n", want: []ev{{Data: "a"}}, err: io.ErrUnexpectedEOF},
	{name: "trailing partial line", in: "data: a\n\ndata: b", want: []ev{{Data: "a"}}, err: io.ErrUnexpectedEOF},
	{name: "trailing partial DONE", in: "data: [DONE]", err: io.ErrUnexpectedEOF},
	{name: "trailing event type only", in: "event: x\n", err: io.ErrUnexpectedEOF},
	{name: "trailing one terminator", in: "data: a\n\ndata: b\r", want: []ev{{Data: "a"}}, err: io.ErrUnexpectedEOF},
	{name: "trailing partial comment", in: "data: a\n\n: ke", want: []ev{{Data: "a"}}, err: io.ErrUnexpectedEOF},
	{name: "trailing CR of CRLF blank", in: "data: a\r\n\r", want: []ev{{Data: "a"}}},

	// Long lines and limits.
	{name: "2 MiB line", in: "data: " + bigLine + "\n\ndata: end\n\n", want: []ev{{Data: bigLine}, {Data: "end"}}},
	{name: "2 MiB line CRLF", in: "data: " + bigLine + "\r\n\r\n", want: []ev{{Data: bigLine}}},
	{name: "2 MiB comment", in: ":" + bigLine + "\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "line at limit", in: "data: 1234\n\n", max: 10, want: []ev{{Data: "1234"}}},
	{name: "line over limit", in: "data: a\n\ndata: 12345\n\n", max: 10, want: []ev{{Data: "a"}}, err: sse.ErrEventTooLarge},
	{name: "unterminated line over limit", in: "data: 12345", max: 10, err: sse.ErrEventTooLarge},
	{name: "comment over limit", in: ":1234567890\n\n", max: 10, err: sse.ErrEventTooLarge},
	{name: "data at limit", in: "data:12345\ndata:6789\n\n", max: 10, want: []ev{{Data: "12345\n6789"}}},
	{name: "data over limit", in: "data:12345\ndata:67890\n\n", max: 10, err: sse.ErrEventTooLarge},
	{name: "default limit applies", in: "data:" + strings.Repeat("y", sse.DefaultMaxEventSize+1) + "\n\n", err: sse.ErrEventTooLarge},
}

func TestDecoder(t *testing.T) {
	readers := map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"halves":  iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
		"chunk7":  func(r io.Reader) io.Reader { return &chunkReader{r: r, sizes: []int{7, 1, 3}} },
	}
	for _, tc := range decodeCases {
		for rname, wrap := range readers {
			if rname == "onebyte" && len(tc.in) > 1<<20 {
				continue // too slow to be useful; "chunk7" covers small reads
			}
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				got, err := decodeAll(wrap(strings.NewReader(tc.in)), tc.max)
				wantErr := tc.err
				if wantErr == nil {
					wantErr = io.EOF
				}
				if !errors.Is(err, wantErr) {
					t.Errorf("final error = %v, want %v", err, wantErr)
				}
				if !sameEvents(got, tc.want) {
					t.Errorf("events:\n got %s\nwant %s", show(got), show(tc.want))
				}
			})
		}
	}
}

func sameEvents(a, b []ev) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func show(es []ev) string {
	var b strings.Builder
	for _, e := range es {
		d := e.Data
		if len(d) > 40 {
			d = d[:40] + "..."
		}
		b.WriteString(strings.NewReplacer("\n", `\n`).Replace(
			"{type=" + e.Type + " id=" + e.ID + " retry=" + e.Retry.String() + " data=" + d + "} "))
	}
	return "[" + b.String() + "]"
}

// chunkReader returns reads of the sizes in sizes, cycling.
type chunkReader struct {
	r     io.Reader
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	n := c.sizes[c.i%len(c.sizes)]
	c.i++
	if n < len(p) {
		p = p[:n]
	}
	return c.r.Read(p)
}

func TestErrorsAreSticky(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("data: a"))
	for range 3 {
		if _, err := d.Next(); err != io.ErrUnexpectedEOF {
			t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
		}
	}
	d = sse.NewDecoder(strings.NewReader(""))
	for range 3 {
		if _, err := d.Next(); err != io.EOF {
			t.Fatalf("err = %v, want io.EOF", err)
		}
	}
}

func TestReadErrorPassedThrough(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), iotest.ErrReader(boom))
	d := sse.NewDecoder(r)
	e, err := d.Next()
	if err != nil || string(e.Data) != "a" {
		t.Fatalf("Next = %q, %v", e.Data, err)
	}
	if _, err := d.Next(); err != boom {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if _, err := d.Next(); err != boom {
		t.Fatalf("second err = %v, want %v", err, boom)
	}
}

func TestEmptyReadsNoProgress(t *testing.T) {
	d := sse.NewDecoder(emptyReader{})
	if _, err := d.Next(); err != io.ErrNoProgress {
		t.Fatalf("err = %v, want io.ErrNoProgress", err)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestDataValidUntilNext(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("data: first\n\ndata: second\n\n"))
	e1, _ := d.Next()
	first := bytes.Clone(e1.Data)
	// Appending to Data must not corrupt the decoder.
	_ = append(e1.Data, "garbage"...)
	e2, err := d.Next()
	if err != nil || string(e2.Data) != "second" || string(first) != "first" {
		t.Fatalf("got %q, %q, %v", first, e2.Data, err)
	}
}

// TestNoReadAhead proves that Next returns a complete event without waiting
// for more input, whatever the line terminator.
func TestNoReadAhead(t *testing.T) {
	for _, tc := range []struct{ name, frame, data string }{
		{"LF", "data: one\n\n", "one"},
		{"CRLF", "data: one\r\n\r\n", "one"},
		{"CR", "data: one\r\r", "one"},
		{"comment first", ": connected\n\n data\ndata: two\n\n", "two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pr.Close()
			d := sse.NewDecoder(pr)
			type result struct {
				e   sse.Event
				err error
			}
			results := make(chan result)
			go func() {
				for {
					e, err := d.Next()
					e.Data = bytes.Clone(e.Data)
					results <- result{e, err}
					if err != nil {
						return
					}
				}
			}()
			for i := range 3 {
				if _, err := io.WriteString(pw, tc.frame); err != nil {
					t.Fatal(err)
				}
				select {
				case r := <-results:
					if r.err != nil || string(r.e.Data) != tc.data {
						t.Fatalf("frame %d: Next = %q, %v", i, r.e.Data, r.err)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("frame %d: Next did not return while the writer was open", i)
				}
			}
			pw.Close()
			if r := <-results; r.err != io.EOF {
				t.Fatalf("after close: err = %v, want io.EOF", r.err)
			}
		})
	}
}

// TestCutConnection shows how a truncated stream differs from a clean one.
func TestCutConnection(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "data: {\"type\":\"text-delta\"}\n\ndata: {\"type\":\"text-")
		pw.Close()
	}()
	d := sse.NewDecoder(pr)
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestRecordedMastraStream(t *testing.T) {
	raw, err := os.ReadFile("testdata/stream-weather.sse")
	if err != nil {
		t.Fatal(err)
	}
	for _, wrap := range []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r },
		iotest.OneByteReader,
	} {
		d := sse.NewDecoder(wrap(bytes.NewReader(raw)))
		var types []string
		var last string
		for {
			e, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Type != "" || e.ID != "" || e.Retry != 0 {
				t.Errorf("unexpected fields in %+v", e)
			}
			last = string(e.Data)
			if last == "[DONE]" {
				types = append(types, last)
				continue
			}
			var chunk struct {
				Type  string `json:"type"`
				RunID string `json:"runId"`
			}
			if err := json.Unmarshal(e.Data, &chunk); err != nil {
				t.Fatalf("event %d: %v", len(types), err)
			}
			if chunk.RunID != "a8f0896f-51ae-4ab8-9884-43c4d509ed1c" {
				t.Errorf("event %d: runId %q", len(types), chunk.RunID)
			}
			types = append(types, chunk.Type)
		}
		if len(types) != 25 {
			t.Errorf("got %d events, want 25: %v", len(types), types)
		}
		if last != "[DONE]" {
			t.Errorf("last event = %q, want [DONE]", last)
		}
		if types[0] != "start" || types[len(types)-2] != "finish" {
			t.Errorf("types = %v", types)
		}
	}
}
