package workosauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"github.com/workos/workos-go/v4/pkg/workos_errors"
)

// WorkOS error codes that [APIError.Code] may hold. WorkOS sends others too;
// these are the ones the sign-in flow must tell apart.
const (
	CodeInvalidGrant                  = "invalid_grant"
	CodeInvalidRequest                = "invalid_request"
	CodeInvalidClient                 = "invalid_client"
	CodeTooManyRequests               = "too_many_requests"
	CodeSSORequired                   = "sso_required"
	CodeMFAEnrollment                 = "mfa_enrollment"
	CodeMFAChallenge                  = "mfa_challenge"
	CodeOrganizationSelectionRequired = "organization_selection_required"
	CodeEmailVerificationRequired     = "email_verification_required"
	CodeOrganizationAuthMethodsReq    = "organization_authentication_methods_required"
	CodeEntityNotFound                = "entity_not_found"
)

// ErrSignInRequired means the user must sign in again: the refresh token was
// refused (invalid_grant: used, revoked or expired; the session ended) or
// WorkOS demands an interactive step (sso_required, mfa_enrollment). A
// [TokenSource] returns an error matching it with errors.Is, and an
// [*APIError] with one of those codes matches it too. Nothing is deleted
// when it happens: clearing a stored session is the caller's decision.
var ErrSignInRequired = errors.New("workosauth: sign in again")

// ErrStateMismatch means an authorization callback's state did not match the
// one the sign-in started with (a possible CSRF attempt or a stale tab).
var ErrStateMismatch = errors.New("workosauth: authorization state mismatch")

// ErrMissingCode means an authorization callback carried neither a code nor
// an error.
var ErrMissingCode = errors.New("workosauth: authorization callback without code")

// APIError is an error answered by WorkOS to a code exchange or a refresh.
//
// Its text holds the status, the WorkOS error code, the server's
// description and the request id, and never a code, code verifier, access or
// refresh token, API key or pending authentication token: descriptions that
// quote a code are redacted. Use errors.As to get it:
//
//	var ae *workosauth.APIError
//	if errors.As(err, &ae) && ae.Code == workosauth.CodeSSORequired { ... }
//
// Unwrap returns the workos-go error (a workos_errors.HTTPError or one of its
// typed authentication errors such as *workos_errors.SSORequiredError), so
// errors.As reaches those too; mind that their own Error text is not
// redacted.
type APIError struct {
	// StatusCode is the HTTP status (400, 401, 403, 429, 5xx...).
	StatusCode int
	// Code is the WorkOS error code ("invalid_grant", "sso_required",
	// "mfa_enrollment", "organization_selection_required", ...), empty
	// when WorkOS sent none.
	Code string
	// Message is WorkOS's description, redacted.
	Message string
	// RequestID is WorkOS's X-Request-ID, for support requests.
	RequestID string
	// RetryAfter is the Retry-After the answer carried (zero if none).
	RetryAfter time.Duration

	// PendingAuthenticationToken continues the authentication after an
	// interactive step (MFA, organization selection, SSO). It is a secret:
	// never in Error().
	PendingAuthenticationToken string
	// Email is the user's email for sso_required and similar errors.
	Email string
	// ConnectionIDs are the SSO connections that may be used
	// (sso_required, organization_authentication_methods_required).
	ConnectionIDs []string
	// Organizations are the choices of organization_selection_required.
	Organizations []workos_errors.PendingAuthenticationOrganizationInfo
	// User is the user WorkOS named in the error, if any.
	User *usermanagement.User

	err error
}

// Error describes the failure without secrets.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("workosauth: WorkOS answered ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" && e.Message != e.Code {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the workos-go error behind e.
func (e *APIError) Unwrap() error { return e.err }

// Is reports whether e matches target: [ErrSignInRequired] for the terminal
// codes (see [APIError.SignInRequired]).
func (e *APIError) Is(target error) bool {
	return target == ErrSignInRequired && e.SignInRequired()
}

// SignInRequired reports whether the user has to sign in again:
// invalid_grant, sso_required or mfa_enrollment.
func (e *APIError) SignInRequired() bool {
	switch e.Code {
	case CodeInvalidGrant, CodeSSORequired, CodeMFAEnrollment:
		return true
	}
	return false
}

// Temporary reports whether trying again later may succeed: 408, 429 and
// 5xx answers.
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

var quoted = regexp.MustCompile(`'[^']*'`)

// redact removes secrets from a WorkOS message: each given secret and,
// since WorkOS quotes the code it refuses, every quoted string.
func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return quoted.ReplaceAllString(msg, "'[redacted]'")
}

// apiErrorFrom converts a workos-go error into an *APIError (or returns err
// unchanged when it is not an answer from WorkOS). retryAfter is the
// Retry-After header seen for the call, which workos-go does not expose.
func apiErrorFrom(err error, retryAfter string, secrets ...string) error {
	if err == nil {
		return nil
	}
	var he workos_errors.HTTPError
	ae := &APIError{err: err}
	switch {
	case errors.As(err, &he):
	default:
		var (
			sso *workos_errors.SSORequiredError
			mfa *workos_errors.MFAEnrollmentError
			mfc *workos_errors.MFAChallengeError
			osr *workos_errors.OrganizationSelectionRequiredError
			evr *workos_errors.EmailVerificationRequiredError
			oam *workos_errors.OrganizationAuthenticationMethodsRequiredError
		)
		switch {
		case errors.As(err, &sso):
			he = sso.HTTPError
			ae.Email = sso.Email
		case errors.As(err, &mfa):
			he = mfa.HTTPError
		case errors.As(err, &mfc):
			he = mfc.HTTPError
		case errors.As(err, &osr):
			he = osr.HTTPError
		case errors.As(err, &evr):
			he = evr.HTTPError
			ae.Email = evr.Email
		case errors.As(err, &oam):
			he = oam.HTTPError
			ae.Email = oam.Email
		default:
			return err
		}
	}
	ae.StatusCode = he.Code
	ae.Code = he.ErrorCode
	ae.RequestID = he.RequestID
	ae.PendingAuthenticationToken = he.PendingAuthenticationToken
	ae.ConnectionIDs = append(append([]string(nil), he.ConnectionIDs...), he.SSOConnectionIDs...)
	ae.Organizations = he.Organizations
	ae.User = he.User
	ae.Message = redact(describeBody(he), append(secrets, he.PendingAuthenticationToken)...)
	if retryAfter != "" {
		ae.RetryAfter = parseRetryAfter(retryAfter, time.Now())
	}
	return ae
}

// describeBody returns WorkOS's description of the error: the
// error_description or message of a JSON body, else workos-go's Message.
func describeBody(he workos_errors.HTTPError) string {
	var body struct {
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"`
	}
	if he.RawBody != "" && json.Unmarshal([]byte(he.RawBody), &body) == nil {
		if body.ErrorDescription != "" {
			return body.ErrorDescription
		}
		if body.Message != "" {
			return body.Message
		}
	}
	msg := strings.TrimSpace(he.Message)
	if he.ErrorCode != "" {
		msg = strings.TrimSpace(strings.TrimPrefix(msg, he.ErrorCode))
	}
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return msg
}

// parseRetryAfter reads a Retry-After value: delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
