package workosauth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// DefaultEndpoint is the WorkOS API endpoint used when none is configured.
const DefaultEndpoint = "https://api.workos.com"

// NewUserManagementClient returns a workos-go User Management client for
// apiKey that talks to endpoint with httpClient.
//
// endpoint is the base URL of the WorkOS API, such as [DefaultEndpoint] (used
// when endpoint is empty), a custom authentication domain, or a
// [github.com/mastra-community/mastra-go/workosauth/workostest] server's URL;
// it must be an absolute http or https URL, and a trailing slash is removed.
// httpClient nil means a client with a 10-second timeout, as workos-go's own
// default. apiKey may be empty for public (PKCE) clients that only exchange
// codes and refresh tokens.
//
// The client is built with usermanagement.NewClient and then pointed at the
// endpoint, never from workos-go's package-level DefaultClient.
func NewUserManagementClient(apiKey, endpoint string, httpClient *http.Client) (*usermanagement.Client, error) {
	ep, err := normalizeEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	c := usermanagement.NewClient(apiKey)
	c.Endpoint = ep
	if httpClient != nil {
		c.HTTPClient = httpClient
	} else {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return c, nil
}

func normalizeEndpoint(endpoint string) (string, error) {
	if endpoint == "" {
		return DefaultEndpoint, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("workosauth: invalid WorkOS endpoint: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("workosauth: invalid WorkOS endpoint %q: want an absolute http or https URL", endpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("workosauth: invalid WorkOS endpoint: no user info, query or fragment allowed")
	}
	return strings.TrimRight(u.String(), "/"), nil
}
