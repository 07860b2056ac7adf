package rest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, MaxRetryAfter: 2 * time.Second}
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		for range 50 {
			d := p.backoff(p.MinBackoff, p.MaxBackoff, attempt, nil)
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, base/2, base)
			}
		}
	}
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"60"}}}
	if d := p.backoff(p.MinBackoff, p.MaxBackoff, 0, resp); d != 2*time.Second {
		t.Fatalf("Retry-After 60 with cap 2s: %v", d)
	}
	resp.Header.Set("Retry-After", "1")
	if d := p.backoff(p.MinBackoff, p.MaxBackoff, 0, resp); d != time.Second {
		t.Fatalf("Retry-After 1: %v", d)
	}
}

func TestRetryDecisions(t *testing.T) {
	ctx := context.Background()
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	for _, tc := range []struct {
		name      string
		status    int
		err       error
		idem, run bool
	}{
		{"refused", 0, refused, true, true},
		{"reset after sending", 0, reset, true, false},
		{"eof", 0, errors.New("EOF"), true, false},
		{"canceled", 0, context.Canceled, false, false},
		{"408", 408, nil, true, false},
		{"429", 429, nil, true, true},
		{"500", 500, nil, true, false},
		{"501", 501, nil, false, false},
		{"502", 502, nil, true, false},
		{"503", 503, nil, true, true},
		{"400", 400, nil, false, false},
		{"404", 404, nil, false, false},
	} {
		var resp *http.Response
		if tc.err == nil {
			resp = &http.Response{StatusCode: tc.status}
		}
		if got, _ := retryIdempotent(ctx, resp, tc.err); got != tc.idem {
			t.Errorf("%s: idempotent retry %v, want %v", tc.name, got, tc.idem)
		}
		if got, _ := retryRun(ctx, resp, tc.err); got != tc.run {
			t.Errorf("%s: run retry %v, want %v", tc.name, got, tc.run)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if ok, err := retryIdempotent(done, &http.Response{StatusCode: 503}, nil); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context stops retries: %v %v", ok, err)
	}
}
