package rest

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	mastra "github.com/mastra-community/mastra-go"
)

// RetryPolicy says how often and how long to retry.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff: the n-th
	// retry waits about MinBackoff·2ⁿ, at most MaxBackoff, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a server's Retry-After may make us wait.
	MaxRetryAfter time.Duration
	// RetryRuns retries requests that start an agent run like idempotent
	// ones (on any 5xx, 408 and connection error), at the risk of running
	// the agent twice.
	RetryRuns bool
}

func (p RetryPolicy) client(hc *http.Client, check retryablehttp.CheckRetry, hook retryablehttp.RequestLogHook) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil, // no default logging to stderr
		RetryWaitMin:   p.MinBackoff,
		RetryWaitMax:   p.MaxBackoff,
		RetryMax:       p.MaxRetries,
		CheckRetry:     check,
		Backoff:        p.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler, // keep the last status and body
		RequestLogHook: hook,
	}
}

// backoff waits MinBackoff·2^attempt (capped at MaxBackoff) with equal
// jitter, or what the server asked for with Retry-After on a 429 or 503,
// capped at MaxRetryAfter.
func (p RetryPolicy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, p.MaxRetryAfter)
		}
	}
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryIdempotent retries connection errors, 408, 429 and 5xx but 501.
func retryIdempotent(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return transient(err), nil
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true, nil
	case http.StatusNotImplemented:
		return false, nil
	}
	return resp.StatusCode >= 500 && resp.StatusCode <= 599, nil
}

// retryRun retries only what cannot have started an agent run: a request
// that never reached the server (its dial failed), 429 and 503.
func retryRun(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return transient(err) && notSent(err), nil
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable, nil
}

// transient reports whether a transport error may pass on a new attempt.
func transient(err error) bool {
	var tokErr *mastra.TokenError
	var unknownCA x509.UnknownAuthorityError
	var invalidCert x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &tokErr), errors.As(err, &unknownCA), errors.As(err, &invalidCert), errors.As(err, &hostErr):
		return false
	}
	return true
}

// notSent reports whether err shows that the request never reached a server.
func notSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
