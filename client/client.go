// Package client provides MastraClient, the entry point of the SDK: it
// holds the server's address, the HTTP transport with its bearer token, the
// retry policy and the default headers, and hands out the API services such
// as [MastraClient.Agents].
//
//	mc, err := client.New("http://127.0.0.1:4111", client.WithToken(os.Getenv("MASTRA_TOKEN")))
//	if err != nil { ... }
//	res, err := mc.Agents.Generate(ctx, "weatherAgent", agents.GenerateParams{
//		Messages: agents.Text("What is the weather in Paris?"),
//	})
//
// A MastraClient is safe for concurrent use and should be reused.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/internal/rest"
)

// MastraClient talks to one Mastra server.
type MastraClient struct {
	// Agents is the agent API: list, get, generate, stream, tools and
	// tool approval.
	Agents *agents.Service

	baseURL *url.URL // the server, without the API prefix
	apiURL  *url.URL // baseURL + API prefix
	http    *http.Client
	rest    *rest.Client
}

// New returns a client for the Mastra server at baseURL, such as
// "http://127.0.0.1:4111" or "https://agents.example.com/mastra". Routes are
// reached under baseURL + "/api" (see [WithAPIPrefix]).
//
// New checks its input and returns an error for a URL that is not absolute
// http(s), that carries user info, a query or a fragment, and for invalid
// options. It reads no environment variable.
func New(baseURL string, opts ...Option) (*MastraClient, error) {
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := defaults()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("mastra: %w", err)
		}
	}

	api := *u
	api.Path = strings.TrimSuffix(u.Path, "/") + cfg.apiPrefix
	api.RawPath = ""

	hc := cfg.httpClient(u)
	c := &MastraClient{baseURL: u, apiURL: &api, http: hc}
	c.rest = rest.New(rest.Config{
		BaseURL:   &api,
		HTTP:      hc,
		Header:    cfg.header,
		UserAgent: cfg.userAgent,
		Logger:    cfg.logger,
		Retry:     cfg.retry,
	})
	c.Agents = agents.NewService(c.rest)
	return c, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("mastra: base URL is empty")
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		// url.Parse errors quote the input, which may hold secrets.
		return nil, errors.New("mastra: base URL does not parse")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("mastra: base URL must be http or https, not %q", u.Scheme)
	case u.Host == "":
		return nil, errors.New("mastra: base URL has no host")
	case u.User != nil:
		return nil, errors.New("mastra: base URL must not hold user info; use WithToken or WithHeader")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("mastra: base URL must not have a query")
	case u.Fragment != "":
		return nil, errors.New("mastra: base URL must not have a fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// BaseURL returns the server's URL as given to [New], without the API
// prefix.
func (c *MastraClient) BaseURL() *url.URL {
	u := *c.baseURL
	return &u
}

// HTTPClient returns the HTTP client the MastraClient sends with: it adds
// the bearer token for the Mastra origin, and nothing else. Use it to reach
// routes this SDK has no method for yet; it does not retry.
func (c *MastraClient) HTTPClient() *http.Client { return c.http }

// Health calls the server's health route (GET /health, outside the API
// prefix and without authentication) and returns nil if it answers 2xx.
func (c *MastraClient) Health(ctx context.Context) error {
	u := *c.baseURL
	u.Path += "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("mastra: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("mastra: health check: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rest.NewAPIError(resp)
	}
	return nil
}

// config collects what the options set.
type config struct {
	apiPrefix     string
	header        http.Header
	userAgent     string
	logger        *slog.Logger
	retry         rest.RetryPolicy
	baseClient    *http.Client
	transport     http.RoundTripper
	tokenSource   oauth2.TokenSource
	headerTimeout time.Duration
}

func defaults() config {
	return config{
		apiPrefix: "/api",
		header:    http.Header{},
		userAgent: "mastra-go/" + mastra.Version,
		retry: rest.RetryPolicy{
			MaxRetries:    3,
			MinBackoff:    100 * time.Millisecond,
			MaxBackoff:    time.Second,
			MaxRetryAfter: 30 * time.Second,
		},
		headerTimeout: 5 * time.Minute,
	}
}

// httpClient builds the HTTP client: the caller's (copied, never modified)
// or a fresh one, whose transport adds the bearer token for the server's
// origin only.
func (cfg *config) httpClient(origin *url.URL) *http.Client {
	var hc http.Client
	if cfg.baseClient != nil {
		hc = *cfg.baseClient
	}
	base := cfg.transport
	if base == nil {
		base = hc.Transport
	}
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = cfg.headerTimeout
		base = t
	}
	hc.Transport = base
	if cfg.tokenSource != nil {
		hc.Transport = &mastra.Transport{
			Source: cfg.tokenSource,
			Origin: origin,
			Base:   base,
		}
	}
	return &hc
}
