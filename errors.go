package mastra

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is the error for every answer from a Mastra server whose status
// is not 2xx. Use [errors.As] to reach it:
//
//	var apiErr *mastra.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests { ... }
//
// or one of the predicates such as [IsNotFound].
type APIError struct {
	// Method and Path name the request that failed (the path has no query).
	Method string
	Path   string

	// StatusCode is the HTTP status code of the answer.
	StatusCode int

	// Message is the server's message: the "error" field of a JSON body
	// (or its "message" when "error" is an object), else the first line of a
	// plain-text body, else the status text.
	Message string

	// Code is the error code when the server sent a structured error
	// (for example "MODEL_NOT_ALLOWED"); empty otherwise.
	Code string

	// Issues lists the validation problems of a 400 answer.
	Issues []Issue

	// RequestID is the value of the X-Request-Id answer header, if any.
	RequestID string

	// Body is a copy of the answer body, at most [MaxErrorBody] bytes.
	Body []byte
}

// Issue is one validation problem the server reported for a request.
type Issue struct {
	// Field is the dotted path of the offending field, or "root".
	Field string `json:"field"`
	// Message says what is wrong with it.
	Message string `json:"message"`
}

// MaxErrorBody is how much of an error answer's body APIError keeps.
const MaxErrorBody = 64 << 10

// Error describes the failure in one line: method, path, status and the
// server's message. It never contains request headers, so no token.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("mastra: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, is := range e.Issues {
		if i == 3 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Issues)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", is.Field, is.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

func hasStatus(err error, codes ...int) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.StatusCode == c {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is an [APIError] with status 404: an
// unknown agent, tool or route.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is an [APIError] with status 401: the
// server wants a token, or rejected the one it got.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether err is an [APIError] with status 403: the
// token is valid but the user may not do this.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsInvalidRequest reports whether err is an [APIError] with status 400 or
// 422: the server refused the request body or parameters.
func IsInvalidRequest(err error) bool {
	return hasStatus(err, http.StatusBadRequest, http.StatusUnprocessableEntity)
}

// IsRateLimited reports whether err is an [APIError] with status 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsServerError reports whether err is an [APIError] with a 5xx status.
func IsServerError(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode >= 500 && e.StatusCode <= 599
}
