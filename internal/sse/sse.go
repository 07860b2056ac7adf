// Package sse decodes Server-Sent Events (media type text/event-stream) as
// described by the WHATWG HTML Living Standard, section "Interpreting an
// event stream".
//
// The decoder follows the specification's parsing rules:
//
//   - Lines end in CRLF, LF or a lone CR. A single leading UTF-8 byte order
//     mark is skipped.
//   - A line starting with ':' is a comment and is ignored.
//   - Otherwise the line is split at the first ':' into a field name and a
//     value, and one leading space is removed from the value. A line without
//     a ':' is a field whose value is empty.
//   - "data" appends the value and a "\n" to the data buffer; "event" sets the
//     event type; "id" sets the last event ID, unless the value contains a NUL
//     byte; "retry" sets the reconnection time in milliseconds if the value is
//     a non-empty string of ASCII digits. Other fields are ignored. Field
//     names are case-sensitive.
//   - A blank line dispatches the event, with the final "\n" of the data buffer
//     removed. A block with an empty data buffer (no "data" field) dispatches
//     nothing.
//
// Deliberate deviations, all aimed at a client that must detect truncation
// and stay fast:
//
//   - The specification silently discards an incomplete event at the end of
//     the input. [Decoder.Next] returns [io.ErrUnexpectedEOF] instead, so the
//     caller can tell a cut connection from a clean end. See [Decoder.Next]
//     for the exact rule.
//   - Bytes are passed through unchanged: invalid UTF-8 is not replaced with
//     U+FFFD.
//   - An event, and any single line, is limited in size (see
//     [Decoder.SetMaxEventSize]); exceeding the limit is an error
//     ([ErrEventTooLarge]) rather than unbounded memory use.
//
// The decoder never reads ahead: once the blank line that ends an event has
// been received, Next returns that event without waiting for more input.
//
// The package knows nothing of Mastra: end-of-stream markers such as
// "data: [DONE]" are ordinary events, left to the caller to interpret.
package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// DefaultMaxEventSize is the default limit, in bytes, on the data of one
// event and on the length of any single line. See [Decoder.SetMaxEventSize].
const DefaultMaxEventSize = 16 << 20

// ErrEventTooLarge is returned (wrapped) by [Decoder.Next] when a line or the
// data of an event exceeds the decoder's maximum event size. Test for it with
// [errors.Is].
var ErrEventTooLarge = errors.New("sse: event too large")

// errInvalidRead reports a reader that returned an impossible byte count.
var errInvalidRead = errors.New("sse: reader returned invalid count")

const (
	initialBufSize = 32 << 10
	// maxEmptyReads is how many consecutive (0, nil) reads are tolerated
	// before giving up with io.ErrNoProgress, as bufio does.
	maxEmptyReads = 100
	// maxRetryMillis is the largest retry value that fits a time.Duration.
	maxRetryMillis = math.MaxInt64 / int64(time.Millisecond)
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Event is one dispatched Server-Sent Event.
type Event struct {
	// Type is the value of the last "event" field of the event, or "" if
	// there was none (or it was empty). Per the specification, "" means
	// "message".
	Type string

	// Data is the event's data: the values of its "data" fields joined by
	// "\n". It is never nil for a dispatched event, though it may be empty.
	//
	// Data aliases a buffer owned by the Decoder and is valid only until the
	// next call to Next. Copy it (for example with bytes.Clone) to keep it
	// longer. It never contains CR or LF other than the "\n" separators.
	Data []byte

	// ID is the last event ID as of this event: the value of the most recent
	// valid "id" field in the stream so far, in this event or an earlier one.
	// It persists across events until an "id" field changes it; an empty
	// "id" field resets it to "".
	ID string

	// Retry is the reconnection time most recently set by a valid "retry"
	// field in the stream so far (in this event or an earlier one), or 0 if
	// none was seen. Values too large for a time.Duration are clamped.
	Retry time.Duration
}

// Decoder reads Server-Sent Events from an input stream.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	rd      io.Reader
	readErr error // error returned by rd, reported once buffered data is used up
	err     error // sticky error returned by Next

	buf  []byte
	r, w int // buf[r:w] holds unconsumed input
	scan int // buf[r:scan] is known to contain no line terminator
	lf   int // absolute index of the next '\n' at or after scan, or -1
	noLF int // when lf == -1: buf[scan:noLF] is known to contain no '\n'

	max     int
	started bool // the first line (and so any BOM) has been consumed
	skipLF  bool // the last line ended in a CR; skip a '\n' that follows it
	pending bool // a field line has been seen since the last blank line

	data  []byte // data buffer, each line followed by '\n'
	typ   []byte // event type buffer
	id    string // last event ID buffer
	typS  string // last Type string handed out, reused when equal
	retry time.Duration
}

// NewDecoder returns a Decoder that reads from r, with a maximum event size
// of [DefaultMaxEventSize].
//
// The decoder buffers input internally but calls r.Read only when it needs
// more bytes to complete the current line, so it never waits for input
// beyond the end of the event being decoded.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{rd: r, lf: -1, max: DefaultMaxEventSize}
}

// SetMaxEventSize sets the maximum size, in bytes, of the data of one event
// and of any single line (field name included, terminator excluded; so a
// "data: " line can carry at most n-6 bytes of data). Next returns an
// error wrapping [ErrEventTooLarge] when the input exceeds it; the decoder's
// memory use stays within a small multiple of it. A value n <= 0 restores
// [DefaultMaxEventSize]. It may be called at any time; it applies from the
// next call to Next.
func (d *Decoder) SetMaxEventSize(n int) {
	if n <= 0 {
		n = DefaultMaxEventSize
	}
	d.max = n
}

// Next reads and returns the next event.
//
// At the end of the input, Next returns [io.EOF] if the input ended cleanly:
// at a line boundary, with no field line (anything but a comment) seen since
// the last blank line. If instead the input ends in the middle of a line or
// after a field line that no blank line has terminated, the pending event is
// discarded, as the specification requires, but Next returns
// [io.ErrUnexpectedEOF] rather than io.EOF: the stream was most likely cut.
//
// Errors from the underlying reader other than io.EOF are returned as they
// are. A line or event larger than the maximum event size yields an error
// wrapping [ErrEventTooLarge]. After any error, every later call to Next
// returns the same error.
//
// The returned Event's Data is valid only until the next call to Next.
func (d *Decoder) Next() (Event, error) {
	if d.err != nil {
		return Event{}, d.err
	}
	d.data = d.data[:0]
	d.typ = d.typ[:0]
	for {
		line, err := d.readLine()
		if err != nil {
			d.err = err
			return Event{}, err
		}
		if len(line) == 0 {
			// Blank line: dispatch.
			d.pending = false
			if len(d.data) == 0 {
				d.typ = d.typ[:0]
				continue
			}
			return d.event(), nil
		}
		if line[0] == ':' {
			continue // comment
		}
		d.pending = true
		if err := d.field(line); err != nil {
			d.err = err
			return Event{}, err
		}
	}
}

// event builds the event to dispatch from the current buffers.
func (d *Decoder) event() Event {
	if string(d.typ) != d.typS {
		d.typS = string(d.typ)
	}
	return Event{
		Type:  d.typS,
		Data:  d.data[: len(d.data)-1 : len(d.data)-1],
		ID:    d.id,
		Retry: d.retry,
	}
}

// field processes one non-blank, non-comment line.
func (d *Decoder) field(line []byte) error {
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if len(d.data)+len(value) > d.max {
			return fmt.Errorf("%w: event data exceeds %d bytes", ErrEventTooLarge, d.max)
		}
		d.data = append(d.data, value...)
		d.data = append(d.data, '\n')
	case "event":
		d.typ = append(d.typ[:0], value...)
	case "id":
		if bytes.IndexByte(value, 0) >= 0 {
			return nil
		}
		if string(value) != d.id {
			d.id = string(value)
		}
	case "retry":
		if ms, ok := parseRetry(value); ok {
			d.retry = time.Duration(ms) * time.Millisecond
		}
	}
	return nil
}

// parseRetry parses a non-empty string of ASCII digits as milliseconds,
// clamping values that do not fit a time.Duration.
func parseRetry(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= maxRetryMillis {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, maxRetryMillis), true
}

// readLine returns the next line without its terminator. The line aliases
// d.buf and is valid until the next call to readLine. At the end of the
// input it returns io.EOF or io.ErrUnexpectedEOF as documented on Next.
func (d *Decoder) readLine() ([]byte, error) {
	for {
		if d.skipLF && d.r < d.w {
			d.skipLF = false
			if d.buf[d.r] == '\n' {
				d.r++
			}
			if d.scan < d.r {
				d.scan = d.r
			}
		}
		if !d.skipLF {
			if end, next, ok := d.findEOL(); ok {
				line := d.buf[d.r:end]
				d.r, d.scan = next, next
				if next == end+1 && next == d.w && d.buf[end] == '\r' {
					// The CR is the last byte we have: a '\n' may follow in
					// the next read. Skip it then, rather than read now.
					d.skipLF = true
				}
				if !d.started {
					d.started = true
					line = bytes.TrimPrefix(line, bom)
				}
				if len(line) > d.max {
					return nil, fmt.Errorf("%w: line exceeds %d bytes", ErrEventTooLarge, d.max)
				}
				return line, nil
			}
			if p := d.partial(); len(p) > d.max && !d.maybeBOM(p) {
				return nil, fmt.Errorf("%w: line exceeds %d bytes", ErrEventTooLarge, d.max)
			}
		}
		if d.readErr != nil {
			return nil, d.endErr()
		}
		d.fill()
	}
}

// findEOL looks for a line terminator in buf[scan:w]. It returns the index
// of the terminator and the index just past it (past CRLF when both bytes
// are buffered). If none is found it advances scan to w.
func (d *Decoder) findEOL() (end, next int, ok bool) {
	if d.lf < d.scan {
		start := max(d.scan, d.noLF)
		if i := bytes.IndexByte(d.buf[start:d.w], '\n'); i >= 0 {
			d.lf = start + i
		} else {
			d.lf, d.noLF = -1, d.w
		}
	}
	limit := d.w
	if d.lf >= 0 {
		limit = d.lf
	}
	if i := bytes.IndexByte(d.buf[d.scan:limit], '\r'); i >= 0 {
		end = d.scan + i
		next = end + 1
		if next == d.lf {
			next++
		}
		return end, next, true
	}
	if d.lf >= 0 {
		return d.lf, d.lf + 1, true
	}
	d.scan = d.w
	return 0, 0, false
}

// partial returns the buffered start of an unterminated line, without the
// byte order mark if it is the first line.
func (d *Decoder) partial() []byte {
	p := d.buf[d.r:d.w]
	if !d.started {
		p = bytes.TrimPrefix(p, bom)
	}
	return p
}

// maybeBOM reports whether p, the partial first line, may still turn out to
// be a byte order mark once more input arrives.
func (d *Decoder) maybeBOM(p []byte) bool {
	return !d.started && len(p) < len(bom) && bytes.HasPrefix(bom, p)
}

// endErr returns the error to report once the input is exhausted.
func (d *Decoder) endErr() error {
	if d.readErr != io.EOF {
		return d.readErr
	}
	p := d.partial()
	if len(p) > d.max {
		return fmt.Errorf("%w: line exceeds %d bytes", ErrEventTooLarge, d.max)
	}
	if d.pending || len(p) > 0 {
		return io.ErrUnexpectedEOF
	}
	return io.EOF
}

// fill reads more input into the buffer, compacting or growing it first as
// needed. Errors are recorded in d.readErr.
func (d *Decoder) fill() {
	if d.r > 0 {
		n := copy(d.buf, d.buf[d.r:d.w])
		d.w = n
		d.scan -= d.r
		if d.lf >= 0 {
			d.lf -= d.r
		}
		d.noLF = max(d.noLF-d.r, 0)
		d.r = 0
	}
	if d.w == len(d.buf) {
		// Room for a line of d.max bytes plus its terminator.
		size := min(max(2*len(d.buf), initialBufSize), d.max+2)
		size = max(size, d.w+1)
		nb := make([]byte, size)
		copy(nb, d.buf[:d.w])
		d.buf = nb
	}
	for range maxEmptyReads {
		n, err := d.rd.Read(d.buf[d.w:])
		if n < 0 || n > len(d.buf)-d.w {
			d.readErr = errInvalidRead
			return
		}
		d.w += n
		if err != nil {
			d.readErr = err
			return
		}
		if n > 0 {
			return
		}
	}
	d.readErr = io.ErrNoProgress
}
