package workostest

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const authenticatePath = "/user_management/authenticate"

// recorder captures the status for the call log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Read authenticate bodies up front: faults may match on grant_type.
	var form url.Values
	if r.Method == http.MethodPost && r.URL.Path == authenticatePath {
		form = parseBody(r)
	}
	grantType := form.Get("grant_type")
	orgID := form.Get("organization_id")
	if r.URL.Path == "/user_management/organization_memberships" {
		orgID = r.URL.Query().Get("organization_id")
	}

	s.mu.Lock()
	s.requestSeq++
	reqID := fmt.Sprintf("req_%s_%d", newID("")[:12], s.requestSeq)
	fault := s.matchFaultLocked(r, grantType)
	callTime := s.now()
	s.mu.Unlock()

	rec := &recorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.calls = append(s.calls, Call{
			Time: callTime, Method: r.Method, Path: r.URL.Path, GrantType: grantType,
			OrganizationID: orgID, Status: rec.status, RequestID: reqID, Fault: fault != nil,
		})
		s.mu.Unlock()
	}()

	rec.Header().Set("Content-Type", "application/json; charset=utf-8")
	rec.Header().Set("X-Request-ID", reqID)

	if fault != nil {
		if fault.Delay > 0 {
			t := time.NewTimer(fault.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if fault.CloseConnection {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if fault.Status != 0 || fault.Code != "" || fault.Body != "" {
			if fault.RetryAfter != "" {
				rec.Header().Set("Retry-After", fault.RetryAfter)
			}
			status := fault.Status
			var body any
			switch {
			case fault.Code != "":
				st, b := errorBody(fault.Code, nil)
				if status == 0 {
					status = st
				}
				body = b
			case status == http.StatusTooManyRequests && r.URL.Path == authenticatePath:
				_, body = errorBody("too_many_requests", nil)
			default:
				if status == 0 {
					status = http.StatusInternalServerError
				}
				body = statusBody(status)
			}
			if fault.Body != "" {
				rec.WriteHeader(status)
				_, _ = io.WriteString(rec, fault.Body)
				return
			}
			writeJSON(rec, status, body)
			return
		}
	}

	path := r.URL.Path
	switch {
	case path == "/user_management/authorize" && r.Method == http.MethodGet:
		s.handleAuthorize(rec, r)
	case path == authenticatePath && r.Method == http.MethodPost:
		s.handleAuthenticate(rec, form)
	case strings.HasPrefix(path, "/user_management/users/") && r.Method == http.MethodGet:
		if !s.checkKey(rec, r) {
			return
		}
		s.handleGetUser(rec, strings.TrimPrefix(path, "/user_management/users/"))
	case path == "/user_management/organization_memberships" && r.Method == http.MethodGet:
		if !s.checkKey(rec, r) {
			return
		}
		s.handleListMemberships(rec, r.URL.Query())
	case strings.HasPrefix(path, "/sso/jwks/") && r.Method == http.MethodGet:
		s.handleJWKS(rec, strings.TrimPrefix(path, "/sso/jwks/"))
	case path == "/user_management/sessions/logout" && r.Method == http.MethodGet:
		s.handleLogout(rec, r)
	case path == "/user_management/sessions/revoke" && r.Method == http.MethodPost:
		if !s.checkKey(rec, r) {
			return
		}
		s.handleRevoke(rec, r)
	default:
		writeJSON(rec, http.StatusNotFound, map[string]any{"message": "Not Found", "code": "not_found"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"server_error","message":"encoding"}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// parseBody reads a JSON or form-encoded body into url.Values (string fields
// only; others are ignored).
func parseBody(r *http.Request) url.Values {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		v, _ := url.ParseQuery(string(b))
		return v
	}
	var m map[string]any
	out := url.Values{}
	if json.Unmarshal(b, &m) == nil {
		for k, v := range m {
			if s, ok := v.(string); ok {
				out.Set(k, s)
			}
		}
	}
	return out
}

func (s *Server) checkKey(w http.ResponseWriter, r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") &&
		subtle.ConstantTimeCompare([]byte(auth[7:]), []byte(s.APIKey)) == 1 {
		return true
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized"})
	return false
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(desc string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": desc})
	}
	if q.Get("client_id") != s.ClientID {
		bad("Invalid client ID.")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("redirect_uri") == "" || !redirect.IsAbs() {
		bad("A valid redirect_uri is required.")
		return
	}
	if q.Get("response_type") != "code" {
		bad("response_type must be code.")
		return
	}
	if q.Get("provider") == "" && q.Get("connection_id") == "" && q.Get("organization_id") == "" {
		bad("One of provider, connection_id or organization_id is required.")
		return
	}
	s.mu.Lock()
	back := redirect.Query()
	if code := s.authorizeError[0]; code != "" {
		back.Set("error", code)
		if d := s.authorizeError[1]; d != "" {
			back.Set("error_description", d)
		}
	} else {
		userID := s.authorizeUser
		if hint := q.Get("login_hint"); hint != "" {
			for _, id := range s.userOrder {
				if strings.EqualFold(s.users[id].Email, hint) {
					userID = id
				}
			}
		}
		if userID == "" && len(s.userOrder) > 0 {
			userID = s.userOrder[0]
		}
		if userID == "" {
			s.mu.Unlock()
			bad("The fake has no user to sign in: call AddUser first.")
			return
		}
		opts := CodeOptions{
			OrganizationID:      q.Get("organization_id"),
			CodeChallenge:       q.Get("code_challenge"),
			CodeChallengeMethod: q.Get("code_challenge_method"),
		}
		if opts.OrganizationID != "" && s.activeMembershipLocked(userID, opts.OrganizationID) == nil {
			back.Set("error", "access_denied")
			back.Set("error_description", "The user is not a member of the organization.")
		} else {
			code, err := s.newCodeLocked(q.Get("client_id"), userID, opts)
			if err != nil {
				s.mu.Unlock()
				bad(err.Error())
				return
			}
			back.Set("code", code)
		}
	}
	s.mu.Unlock()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	redirect.RawQuery = back.Encode()
	w.Header().Set("Location", redirect.String())
	writeJSON(w, http.StatusFound, map[string]any{})
}

func checkPKCE(method, challenge, verifier string) bool {
	if challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	switch method {
	case "plain":
		return subtle.ConstantTimeCompare([]byte(challenge), []byte(verifier)) == 1
	default:
		sum := sha256.Sum256([]byte(verifier))
		want := base64.RawURLEncoding.EncodeToString(sum[:])
		return subtle.ConstantTimeCompare([]byte(challenge), []byte(want)) == 1
	}
}

func (s *Server) handleAuthenticate(w http.ResponseWriter, form url.Values) {
	oauthErr := func(status int, code, desc string) {
		writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
	}
	grant := form.Get("grant_type")
	if grant == "" {
		oauthErr(400, "invalid_request", "grant_type is required.")
		return
	}
	if form.Get("client_id") != s.ClientID {
		oauthErr(400, "invalid_client", "Invalid client ID.")
		return
	}
	secret := form.Get("client_secret")
	if secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.APIKey)) != 1 {
		oauthErr(401, "invalid_client", "Invalid client secret.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch grant {
	case "authorization_code":
		code := form.Get("code")
		if code == "" {
			oauthErr(400, "invalid_request", "code is required.")
			return
		}
		g, ok := s.codes[code]
		invalid := fmt.Sprintf("The code '%s' has expired or is invalid.", code)
		if !ok || g.used || !s.now().Before(g.expires) || g.clientID != form.Get("client_id") {
			oauthErr(400, "invalid_grant", invalid)
			return
		}
		if secret == "" && g.challenge == "" {
			oauthErr(401, "invalid_client", "client_secret is required without PKCE.")
			return
		}
		if !checkPKCE(g.challengeMeth, g.challenge, form.Get("code_verifier")) {
			g.used = true // a failed redemption burns the code
			oauthErr(400, "invalid_grant", invalid)
			return
		}
		g.used = true
		u := s.users[g.userID]
		if u.AuthError != "" {
			st, body := errorBody(u.AuthError, u.wire())
			writeJSON(w, st, body)
			return
		}
		orgID := g.opts.OrganizationID
		if orgID == "" {
			if ms := s.activeMembershipsLocked(u.ID); len(ms) == 1 {
				orgID = ms[0].OrganizationID
			}
		}
		method := g.opts.AuthenticationMethod
		if method == "" {
			method = "GoogleOAuth"
			if g.opts.Impersonator != nil {
				method = "Impersonation"
			}
		}
		ss := &session{id: newID("session_"), userID: u.ID, orgID: orgID, method: method, impersonator: g.opts.Impersonator}
		s.sessions[ss.id] = ss
		s.answerSessionLocked(w, ss, orgID)
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			oauthErr(400, "invalid_request", "refresh_token is required.")
			return
		}
		g, ok := s.refreshTokens[rt]
		if !ok {
			oauthErr(400, "invalid_grant", "Invalid refresh token.")
			return
		}
		if g.used {
			oauthErr(400, "invalid_grant", "Refresh token already exchanged.")
			return
		}
		ss := s.sessions[g.sessionID]
		if ss.ended {
			oauthErr(400, "invalid_grant", "Session has already ended.")
			return
		}
		orgID := ss.orgID
		if want := form.Get("organization_id"); want != "" {
			if s.activeMembershipLocked(ss.userID, want) == nil {
				// Not documented by WorkOS; the refresh token is kept.
				writeJSON(w, http.StatusForbidden, map[string]any{
					"code":    "organization_membership_not_found",
					"message": "The user is not a member of the requested organization.",
				})
				return
			}
			orgID = want
		}
		g.used = true
		s.answerSessionLocked(w, ss, orgID)
	default:
		oauthErr(400, "unsupported_grant_type", "Unsupported grant type.")
	}
}

// answerSessionLocked issues a new access token and refresh token for the
// session, scoped to orgID, and writes the authenticate response.
func (s *Server) answerSessionLocked(w http.ResponseWriter, ss *session, orgID string) {
	c := Claims{Subject: ss.userID, SessionID: ss.id, OrganizationID: orgID}
	if ss.impersonator != nil {
		c.Impersonator = ss.impersonator.Email
	}
	access, err := s.accessTokenLocked(c)
	if err != nil {
		writeJSON(w, 500, map[string]any{"code": "server_error", "message": "signing failed"})
		return
	}
	rt := newSecret(16)
	s.refreshTokens[rt] = &refreshGrant{sessionID: ss.id}
	var org any
	if orgID != "" {
		org = orgID
	}
	body := map[string]any{
		"user":                  s.users[ss.userID].wire(),
		"organization_id":       org,
		"access_token":          access,
		"refresh_token":         rt,
		"authentication_method": ss.method,
	}
	if ss.impersonator != nil {
		body["impersonator"] = map[string]string{"email": ss.impersonator.Email, "reason": ss.impersonator.Reason}
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleGetUser(w http.ResponseWriter, id string) {
	s.mu.Lock()
	u, ok := s.users[id]
	var body map[string]any
	if ok {
		body = u.wire()
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message": fmt.Sprintf("User not found '%s'", id), "code": "entity_not_found", "entity_id": id,
		})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleListMemberships(w http.ResponseWriter, q url.Values) {
	invalid := func(msg string) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"code": "invalid_request_parameters", "message": msg,
		})
	}
	userID, orgID := q.Get("user_id"), q.Get("organization_id")
	if userID == "" && orgID == "" {
		invalid("Either user_id or organization_id is required.")
		return
	}
	limit := 10
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			invalid("limit must be between 1 and 100.")
			return
		}
		limit = n
	}
	order := q.Get("order")
	if order == "" {
		order = "desc"
	}
	if order != "asc" && order != "desc" && order != "normal" {
		invalid("order must be asc or desc.")
		return
	}
	statuses := map[string]bool{}
	for _, st := range q["statuses"] {
		for _, p := range strings.Split(st, ",") {
			statuses[p] = true
		}
	}
	for _, st := range q["statuses[]"] {
		statuses[st] = true
	}
	if len(statuses) == 0 {
		statuses["active"] = true
	}

	s.mu.Lock()
	var all []*Membership
	for _, m := range s.memberships {
		if (userID == "" || m.UserID == userID) && (orgID == "" || m.OrganizationID == orgID) && statuses[m.Status] {
			all = append(all, m)
		}
	}
	// Creation order, ties by insertion order.
	idx := map[*Membership]int{}
	for i, m := range s.memberships {
		idx[m] = i
	}
	sort.SliceStable(all, func(i, j int) bool {
		less := all[i].CreatedAt.Before(all[j].CreatedAt) ||
			(all[i].CreatedAt.Equal(all[j].CreatedAt) && idx[all[i]] < idx[all[j]])
		if order == "desc" {
			return !less
		}
		return less
	})
	pos := func(id string) int {
		for i, m := range all {
			if m.ID == id {
				return i
			}
		}
		return -1
	}
	var start, end int
	if after := q.Get("after"); after != "" {
		start = pos(after) + 1
		if start == 0 {
			start = len(all)
		}
		end = min(start+limit, len(all))
	} else if before := q.Get("before"); before != "" {
		end = pos(before)
		if end < 0 {
			end = 0
		}
		start = max(0, end-limit)
	} else {
		end = min(limit, len(all))
	}
	page := all[start:end]
	data := make([]any, 0, len(page))
	for _, m := range page {
		data = append(data, m.wire())
	}
	var before, after any
	if start > 0 && len(page) > 0 {
		before = page[0].ID
	}
	if end < len(all) && len(page) > 0 {
		after = page[len(page)-1].ID
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"object":        "list",
		"data":          data,
		"list_metadata": map[string]any{"before": before, "after": after},
	})
}

func (s *Server) handleJWKS(w http.ResponseWriter, clientID string) {
	if clientID != s.ClientID {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "code": "entity_not_found", "entity_id": clientID})
		return
	}
	writeJSON(w, http.StatusOK, s.JWKS())
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sid := q.Get("session_id")
	if sid == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "invalid_request", "message": "session_id is required."})
		return
	}
	s.EndSession(sid)
	if rt := q.Get("return_to"); rt != "" {
		w.Header().Set("Location", rt)
		writeJSON(w, http.StatusFound, map[string]any{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SessionID string `json:"session_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.SessionID == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"code": "invalid_request_parameters", "message": "session_id is required."})
		return
	}
	if !s.EndSession(body.SessionID) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Session not found", "code": "entity_not_found", "entity_id": body.SessionID})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}
