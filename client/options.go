package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Option configures a [MastraClient] in [New]. An invalid option makes New
// return an error.
type Option func(*config) error

// WithAPIPrefix sets the path under which the server mounts its API
// (default "/api", as the server's server.apiPrefix). Slashes are
// normalised; "" or "/" means the routes sit at the root.
func WithAPIPrefix(prefix string) Option {
	return func(c *config) error {
		p := strings.TrimSpace(prefix)
		if strings.Contains(p, "..") || strings.ContainsAny(p, "?#") {
			return fmt.Errorf("API prefix %q must not contain '..', '?' or '#'", prefix)
		}
		for strings.Contains(p, "//") {
			p = strings.ReplaceAll(p, "//", "/")
		}
		p = strings.Trim(p, "/")
		if p != "" {
			p = "/" + p
		}
		c.apiPrefix = p
		return nil
	}
}

// WithHeader adds a header to every request. It may be given many times;
// values for the same key accumulate. Use [WithToken] or
// [WithTokenSource] for the Authorization header.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if key == "" {
			return errors.New("header name is empty")
		}
		c.header.Add(key, value)
		return nil
	}
}

// WithHTTPClient sends requests with a copy of hc: its transport, redirect
// policy and cookie jar are used; hc itself is not modified. Avoid setting
// hc.Timeout: it also cuts long streams. Use contexts instead.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.baseClient = hc
		return nil
	}
}

// WithTransport sends requests through rt (which then owns timeouts and
// connection pooling). It takes precedence over the transport of a
// [WithHTTPClient] client.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *config) error {
		if rt == nil {
			return errors.New("WithTransport: nil transport")
		}
		c.transport = rt
		return nil
	}
}

// WithTokenSource authenticates every request to the server with
// "Authorization: Bearer <token>" from ts, sent only to the server's origin.
//
// ts is called for every request, so it must be cheap when its token is
// valid: the workosauth TokenSource (which refreshes ahead of expiry and can
// switch organization at once) and the sources of oauth2.Config already
// cache; wrap any other in [oauth2.ReuseTokenSource].
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("WithTokenSource: nil token source")
		}
		c.tokenSource = ts
		return nil
	}
}

// WithToken authenticates every request with a fixed bearer token. An
// empty token means no authentication.
func WithToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			c.tokenSource = nil
			return nil
		}
		c.tokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"})
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default "mastra-go/<version>").
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		c.userAgent = ua
		return nil
	}
}

// WithLogger logs retries at debug level to l. Log lines hold the method,
// path and attempt, never headers or bodies. By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithMaxRetries sets how many times a failed request is retried (default
// 3; 0 turns retries off). What is retried is described in the package
// documentation.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries: %d is negative", n)
		}
		c.retry.MaxRetries = n
		return nil
	}
}

// WithBackoff sets the exponential backoff between retries: the first
// waits about minWait, each next one twice as long, at most maxWait, with
// jitter (defaults 100 ms and 1 s, as @mastra/client-js).
func WithBackoff(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		if minWait < 0 || maxWait < minWait {
			return fmt.Errorf("WithBackoff: need 0 <= min (%v) <= max (%v)", minWait, maxWait)
		}
		c.retry.MinBackoff, c.retry.MaxBackoff = minWait, maxWait
		return nil
	}
}

// WithMaxRetryAfter caps how long a server's Retry-After header on a 429
// or 503 answer may delay a retry (default 30 s).
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithMaxRetryAfter: %v is negative", d)
		}
		c.retry.MaxRetryAfter = d
		return nil
	}
}

// WithRetryAgentRuns also retries requests that run an agent (generate,
// stream, tool execution and approval) on 5xx, 408 and connection errors
// after the request was sent. The server may then have run the agent, and
// a retry runs it again: opt in only when that is acceptable.
func WithRetryAgentRuns() Option {
	return func(c *config) error {
		c.retry.RetryRuns = true
		return nil
	}
}

// WithResponseHeaderTimeout bounds the wait for an answer's headers
// (default 5 minutes: generate answers only when the run is done). It
// applies only to the SDK's own transport, not to one given with
// [WithHTTPClient] or [WithTransport]. It never cuts a stream whose
// headers have arrived; use a context deadline for that.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithResponseHeaderTimeout: %v is negative", d)
		}
		c.headerTimeout = d
		return nil
	}
}
