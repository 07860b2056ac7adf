package workosauth

import (
	"context"
	"net/http"
	"path"
	"strings"
)

// Bodies of the middleware's refusals, the same as a Mastra server's.
const (
	bodyUnauthorized = `{"error":"Invalid or expired token"}`
	bodyForbidden    = `{"error":"Access denied"}`
	bodyAuthzError   = `{"error":"Authorization error"}`
)

type userKey struct{}

// UserFromContext returns the user [Authenticator.Middleware] stored in a
// request's context.
func UserFromContext(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey{}).(*User)
	return u, ok && u != nil
}

// ContextWithUser returns a copy of ctx carrying u, as the middleware does;
// useful to test handlers without tokens.
func ContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// Middleware guards next like a Mastra server guards its API, so clients see
// one behaviour:
//
//   - requests to PublicPaths pass through untouched;
//   - the token is read from "Authorization: Bearer <token>" (the scheme is
//     case-insensitive, per RFC 6750; Mastra itself accepts only "Bearer"
//     and also a raw token, which this middleware refuses);
//   - a missing or invalid token, or an unresolvable user, is answered 401
//     {"error":"Invalid or expired token"} with a WWW-Authenticate: Bearer
//     header;
//   - AuthorizeUser refusing is answered 403 {"error":"Access denied"}, and
//     failing 500 {"error":"Authorization error"};
//   - otherwise next runs with the user in the request context
//     ([UserFromContext]).
//
// Tokens are never logged. Put CORS handling outside this middleware so
// preflight requests, which carry no token, are answered before it.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.isPublic(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		token, ok := bearerToken(r.Header)
		if !ok {
			a.log(ctx, r, "refused request", "reason", ErrTokenMissing.Error())
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSONError(w, http.StatusUnauthorized, bodyUnauthorized)
			return
		}
		u, err := a.Authenticate(ctx, token)
		if err != nil {
			a.log(ctx, r, "refused request", "reason", err.Error())
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSONError(w, http.StatusUnauthorized, bodyUnauthorized)
			return
		}
		allowed, err := a.Authorize(ctx, u, r)
		switch {
		case err != nil:
			if a.cfg.Logger != nil {
				a.cfg.Logger.ErrorContext(ctx, "workosauth: authorizing user", "method", r.Method, "path", r.URL.Path, "user", u.ID, "err", err.Error())
			}
			writeJSONError(w, http.StatusInternalServerError, bodyAuthzError)
		case !allowed:
			a.log(ctx, r, "access denied", "user", u.ID)
			writeJSONError(w, http.StatusForbidden, bodyForbidden)
		default:
			next.ServeHTTP(w, r.WithContext(ContextWithUser(ctx, u)))
		}
	})
}

func (a *Authenticator) log(ctx context.Context, r *http.Request, msg string, args ...any) {
	if a.cfg.Logger == nil {
		return
	}
	args = append([]any{"method", r.Method, "path", r.URL.Path}, args...)
	a.cfg.Logger.DebugContext(ctx, "workosauth: "+msg, args...)
}

// isPublic matches the cleaned path, so "/public/../admin" is not public.
func (a *Authenticator) isPublic(p string) bool {
	if len(a.public) == 0 {
		return false
	}
	p = path.Clean("/" + p)
	for _, pat := range a.public {
		if prefix, ok := strings.CutSuffix(pat, "*"); ok {
			if strings.HasPrefix(p, prefix) || p == strings.TrimSuffix(prefix, "/") {
				return true
			}
		} else if p == pat {
			return true
		}
	}
	return false
}

// bearerToken reads the token of a single "Authorization: Bearer" header.
func bearerToken(h http.Header) (string, bool) {
	values := h.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.Trim(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

func writeJSONError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
