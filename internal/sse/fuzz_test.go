package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/mastra-community/mastra-go/internal/sse"
)

// refEvent is an event decoded by the reference decoder, with the input
// offset just past the terminator of the blank line that dispatched it.
type refEvent struct {
	ev
	at int
}

// refDecode is a deliberately naive, string-based implementation of the
// specification (plus this package's documented deviations), used as an
// oracle by the fuzzer.
func refDecode(in string, max int) ([]refEvent, error) {
	if max <= 0 {
		max = sse.DefaultMaxEventSize
	}
	off := 0
	if strings.HasPrefix(in, "\xEF\xBB\xBF") {
		off = 3
	}
	var (
		out     []refEvent
		data    []byte
		typ, id string
		retry   time.Duration
		pending bool
	)
	for off < len(in) {
		rest := in[off:]
		i := strings.IndexAny(rest, "\r\n")
		if i < 0 {
			if len(rest) > max {
				return out, sse.ErrEventTooLarge
			}
			return out, io.ErrUnexpectedEOF
		}
		line := rest[:i]
		if len(line) > max {
			return out, sse.ErrEventTooLarge
		}
		termEnd := off + i + 1 // just past the first terminator byte
		off = termEnd
		if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
			off++
		}
		switch {
		case line == "":
			pending = false
			if len(data) > 0 {
				out = append(out, refEvent{ev{typ, string(data[:len(data)-1]), id, retry}, termEnd})
			}
			data, typ = nil, ""
		case line[0] == ':':
		default:
			pending = true
			name, value, found := strings.Cut(line, ":")
			if found {
				value = strings.TrimPrefix(value, " ")
			}
			switch name {
			case "data":
				if len(data)+len(value) > max {
					return out, sse.ErrEventTooLarge
				}
				data = append(data, value...)
				data = append(data, '\n')
			case "event":
				typ = value
			case "id":
				if !strings.Contains(value, "\x00") {
					id = value
				}
			case "retry":
				if value != "" && strings.Trim(value, "0123456789") == "" {
					var ms uint64
					for _, c := range value {
						ms = min(ms*10+uint64(c-'0'), 1<<62)
					}
					retry = time.Duration(min(ms, uint64(1<<63-1)/uint64(time.Millisecond))) * time.Millisecond
				}
			}
		}
	}
	if pending {
		return out, io.ErrUnexpectedEOF
	}
	return out, io.EOF
}

// encode writes events back as an event stream.
func encode(es []ev) string {
	var b strings.Builder
	var id string
	var retry time.Duration
	for _, e := range es {
		if e.Retry != retry {
			fmt.Fprintf(&b, "retry: %d\n", e.Retry/time.Millisecond)
			retry = e.Retry
		}
		if e.ID != id {
			if e.ID == "" {
				b.WriteString("id\n")
			} else {
				b.WriteString("id: " + e.ID + "\n")
			}
			id = e.ID
		}
		if e.Type != "" {
			b.WriteString("event: " + e.Type + "\n")
		}
		for line := range strings.SplitSeq(e.Data, "\n") {
			b.WriteString("data: " + line + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// randReader returns reads of random sizes between 1 and 64 bytes.
type randReader struct {
	r   io.Reader
	rng *rand.Rand
}

func (c *randReader) Read(p []byte) (int, error) {
	if n := 1 + c.rng.IntN(64); n < len(p) {
		p = p[:n]
	}
	return c.r.Read(p)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func sameErr(got, want error) bool {
	return got == want || errors.Is(got, sse.ErrEventTooLarge) && want == sse.ErrEventTooLarge
}

func FuzzDecoder(f *testing.F) {
	for _, tc := range decodeCases {
		if len(tc.in) <= 4096 {
			f.Add([]byte(tc.in), uint64(len(tc.name)), uint16(tc.max))
		}
	}
	if raw, err := os.ReadFile("testdata/stream-weather.sse"); err == nil {
		f.Add(raw, uint64(1), uint16(0))
		f.Add(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")), uint64(2), uint16(600))
		f.Add(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r")), uint64(3), uint16(0))
	}

	f.Fuzz(func(t *testing.T, in []byte, seed uint64, limit uint16) {
		max := int(limit) // 0 selects the default
		ref, refErr := refDecode(string(in), max)
		want := make([]ev, len(ref))
		for i, r := range ref {
			want[i] = r.ev
		}

		// Same events, same final error, whatever the read sizes.
		for name, r := range map[string]io.Reader{
			"whole":   bytes.NewReader(in),
			"onebyte": iotest.OneByteReader(bytes.NewReader(in)),
			"random":  &randReader{bytes.NewReader(in), rand.New(rand.NewPCG(seed, 1))},
		} {
			got, err := decodeAll(r, max)
			if !sameErr(err, refErr) {
				t.Fatalf("%s: final error %v, want %v", name, err, refErr)
			}
			if !sameEvents(got, want) {
				t.Fatalf("%s: events\n got %s\nwant %s", name, show(got), show(want))
			}
		}

		// No read-ahead: with one-byte reads, each event is returned as soon
		// as the first byte of its dispatching blank line's terminator is read.
		cr := &countingReader{r: bytes.NewReader(in)}
		d := sse.NewDecoder(iotest.OneByteReader(cr))
		d.SetMaxEventSize(max)
		for i := range ref {
			if _, err := d.Next(); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
			if cr.n != ref[i].at {
				t.Fatalf("event %d returned after reading %d bytes, want %d", i, cr.n, ref[i].at)
			}
		}

		// Invariants on the decoded values, and a round trip through encode.
		for _, e := range want {
			if strings.ContainsRune(e.Data, '\r') || strings.ContainsAny(e.Type, "\r\n") ||
				strings.ContainsAny(e.ID, "\r\n\x00") {
				t.Fatalf("invalid event %+v", e)
			}
		}
		again, err := decodeAll(strings.NewReader(encode(want)), 0)
		if err != io.EOF || !sameEvents(again, want) {
			t.Fatalf("round trip: %v\n got %s\nwant %s", err, show(again), show(want))
		}
	})
}
