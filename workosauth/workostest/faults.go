package workostest

import (
	"net/http"
	"strings"
	"time"
)

// Fault describes a failure to inject into matching requests.
type Fault struct {
	// Method and Path select requests: the method ("" any) and a path
	// prefix ("" any), e.g. "/user_management/authenticate".
	Method string
	Path   string
	// GrantType, when set, selects only authenticate requests with this
	// grant_type ("refresh_token", "authorization_code").
	GrantType string
	// Status is the HTTP status to answer with. Zero with a Code takes the
	// code's usual status; zero without a Code answers normally (after
	// Delay).
	Status int
	// Code is a WorkOS error code whose real body is sent:
	// "invalid_grant", "too_many_requests", "server_error",
	// "sso_required", "mfa_enrollment", "organization_selection_required",
	// and the others [User.AuthError] accepts. Empty takes a body suited to
	// Status.
	Code string
	// Body, when set, is sent verbatim instead.
	Body string
	// RetryAfter, when set, is sent as the Retry-After header (seconds or an
	// HTTP date).
	RetryAfter string
	// Delay holds the answer back (real time, ended early when the client
	// goes away): a slow WorkOS.
	Delay time.Duration
	// CloseConnection drops the connection without an answer: a network
	// error for the client.
	CloseConnection bool
	// Times is how many matching requests the fault affects; 0 means every
	// one until [Server.ClearFaults].
	Times int
}

type faultState struct {
	Fault
	hits int
}

// InjectFault adds a fault. Faults are checked in the order added; the first
// that matches (and has uses left) applies.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, &faultState{Fault: f})
	s.mu.Unlock()
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Server) matchFaultLocked(r *http.Request, grantType string) *Fault {
	for _, f := range s.faults {
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if f.Path != "" && !strings.HasPrefix(r.URL.Path, f.Path) {
			continue
		}
		if f.GrantType != "" && f.GrantType != grantType {
			continue
		}
		f.hits++
		cp := f.Fault
		return &cp
	}
	return nil
}

// Call is one request the fake received.
type Call struct {
	Time   time.Time // the fake's clock
	Method string
	Path   string
	// GrantType is the grant_type of an authenticate request.
	GrantType string
	// OrganizationID is the organization_id an authenticate request asked
	// for, or the query's organization_id of a memberships listing.
	OrganizationID string
	// Status is the status answered (0 for a dropped connection).
	Status    int
	RequestID string
	// Fault reports whether an injected fault answered the request.
	Fault bool
}

// Calls returns the requests received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CountCalls returns how many recorded requests had this path and, when
// grantType is not empty, this grant_type.
func (s *Server) CountCalls(path, grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Path == path && (grantType == "" || c.GrantType == grantType) {
			n++
		}
	}
	return n
}

// ResetCalls forgets the recorded requests.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// errorBody returns the status and body WorkOS sends for an error code.
func errorBody(code string, user map[string]any) (int, map[string]any) {
	switch code {
	case "invalid_grant":
		return 400, map[string]any{"error": "invalid_grant", "error_description": "Invalid refresh token."}
	case "invalid_request":
		return 400, map[string]any{"error": "invalid_request", "error_description": "The request is invalid."}
	case "invalid_client":
		return 401, map[string]any{"error": "invalid_client", "error_description": "Invalid client secret."}
	case "too_many_requests":
		return 429, map[string]any{"error": "too_many_requests", "error_description": "Could not process refresh token. Please retry."}
	case "rate_limit_exceeded":
		return 429, map[string]any{"code": "rate_limit_exceeded", "message": "Too many requests."}
	case "server_error", "":
		return 500, map[string]any{"code": "server_error", "message": "Internal server error."}
	case "sso_required":
		return 403, map[string]any{
			"error":                        "sso_required",
			"error_description":            "User must authenticate via SSO.",
			"connection_ids":               []string{"conn_01FAKECONNECTION"},
			"email":                        stringOf(user["email"]),
			"pending_authentication_token": newSecret(16),
		}
	case "organization_authentication_methods_required":
		return 403, map[string]any{
			"error":                        "organization_authentication_methods_required",
			"error_description":            "User must authenticate with one of the organization's methods.",
			"email":                        stringOf(user["email"]),
			"sso_connection_ids":           []string{"conn_01FAKECONNECTION"},
			"auth_methods":                 map[string]bool{"google_oauth": true, "password": false},
			"pending_authentication_token": newSecret(16),
		}
	case "mfa_enrollment":
		return 403, map[string]any{"code": "mfa_enrollment", "message": "User must enroll in MFA.",
			"user": user, "pending_authentication_token": newSecret(16)}
	case "mfa_challenge":
		return 403, map[string]any{"code": "mfa_challenge", "message": "User must complete an MFA challenge.",
			"user": user, "pending_authentication_token": newSecret(16),
			"authentication_factors": []map[string]string{{"id": "auth_factor_01FAKE", "type": "totp"}}}
	case "organization_selection_required":
		return 403, map[string]any{"code": "organization_selection_required",
			"message":                      "The user must choose an organization to finish their authentication.",
			"user":                         user,
			"organizations":                []map[string]string{{"id": "org_01FAKEORGANIZATION", "name": "Foo Corp"}},
			"pending_authentication_token": newSecret(16)}
	case "email_verification_required":
		return 403, map[string]any{"code": "email_verification_required", "message": "Email ownership must be verified before authentication.",
			"email": stringOf(user["email"]), "email_verification_id": "email_verification_01FAKE",
			"pending_authentication_token": newSecret(16)}
	case "entity_not_found":
		return 404, map[string]any{"code": "entity_not_found", "message": "Not found."}
	case "unauthorized":
		return 401, map[string]any{"message": "Unauthorized"}
	}
	return 400, map[string]any{"code": code, "message": code}
}

func statusBody(status int) map[string]any {
	switch {
	case status == 429:
		_, b := errorBody("rate_limit_exceeded", nil)
		return b
	case status == 401:
		return map[string]any{"message": "Unauthorized"}
	case status >= 500:
		return map[string]any{"code": "server_error", "message": http.StatusText(status)}
	}
	return map[string]any{"message": http.StatusText(status)}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
