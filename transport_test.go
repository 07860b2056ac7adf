package mastra_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	mastra "github.com/mastra-community/mastra-go"
)

const secret = "s3cr3t-token-value"

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("refresh refused") }

func TestTransportSetsTokenOnlyForOrigin(t *testing.T) {
	var gotOther string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotOther = r.Header.Get("Authorization")
	}))
	defer other.Close()
	var gotMain []string
	main := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotMain = append(gotMain, r.Header.Get("Authorization"))
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
		}
	}))
	defer main.Close()

	origin, _ := url.Parse(main.URL)
	tr := &mastra.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: secret}), Origin: origin}
	hc := &http.Client{Transport: tr}

	req, _ := http.NewRequest(http.MethodGet, main.URL+"/redirect", nil)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	assert.Equal(t, []string{"Bearer " + secret}, gotMain, "the origin gets the token")
	assert.Empty(t, gotOther, "a redirect to another host must not carry the token")
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not modified")

	resp, err = hc.Get(other.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, gotOther, "a direct request to another origin gets no token")
}

func TestTransportTokenErrorStopsRequest(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	origin, _ := url.Parse(srv.URL)
	hc := &http.Client{Transport: &mastra.Transport{Source: failingSource{}, Origin: origin}}
	_, err := hc.Post(srv.URL, "application/json", strings.NewReader("{}"))
	require.Error(t, err)
	var te *mastra.TokenError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "refresh refused")
	assert.Zero(t, hits, "no request without a token")
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://a.example/x", "https://a.example:443/y", true},
		{"http://a.example", "http://A.EXAMPLE:80", true},
		{"http://a.example", "https://a.example", false},
		{"http://a.example:8080", "http://a.example", false},
		{"http://a.example", "http://b.example", false},
		{"http://127.0.0.1:4111", "http://127.0.0.1:4111/api", true},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		assert.Equal(t, tc.want, mastra.SameOrigin(a, b), "%s vs %s", tc.a, tc.b)
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &mastra.APIError{Method: "POST", Path: "/api/agents/x/generate", StatusCode: 400, Message: "Invalid request body",
		Issues: []mastra.Issue{{Field: "messages", Message: "Invalid input"}}, RequestID: "req_1"}
	assert.Equal(t, "mastra: POST /api/agents/x/generate: 400 Bad Request: Invalid request body; messages: Invalid input (request id req_1)", e.Error())
	wrapped := errors.Join(errors.New("context"), e)
	assert.True(t, mastra.IsInvalidRequest(wrapped))
	assert.False(t, mastra.IsNotFound(wrapped))
	assert.True(t, mastra.IsServerError(&mastra.APIError{StatusCode: 503}))
	assert.False(t, mastra.IsServerError(errors.New("x")))
}
