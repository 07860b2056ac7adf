// Package workostest is an in-process fake of the WorkOS User Management
// endpoints that this SDK and its users touch, for tests and demos.
//
// A [Server] listens on 127.0.0.1 (an [net/http/httptest.Server]) and answers:
//
//   - GET  /user_management/authorize: redirects back to redirect_uri with a
//     single-use code (and the state) for a configured user;
//   - POST /user_management/authenticate: the authorization_code grant
//     (single-use codes, PKCE S256 or plain) and the refresh_token grant
//     (rotating, single-use refresh tokens, organization switch with
//     organization_id), JSON or form-encoded;
//   - GET  /user_management/users/{id};
//   - GET  /user_management/organization_memberships (user_id or
//     organization_id, statuses defaulting to active only, limit, order,
//     before/after cursors);
//   - GET  /sso/jwks/{client_id};
//   - GET  /user_management/sessions/logout and POST
//     /user_management/sessions/revoke.
//
// Access tokens are RS256 JWTs signed with keys the fake makes itself, with
// the claims WorkOS issues: iss, sub, sid, org_id, role, roles, permissions,
// exp, iat, jti and act when impersonating. Keys rotate on demand
// ([Server.RotateKey], [Server.RetireOldKeys]).
//
// Every answer carries Content-Type: application/json and an X-Request-ID, and
// errors use the bodies WorkOS sends (OAuth-style {"error","error_description"}
// for the grants, {"code","message"} for the rest), so the real workos-go
// client surfaces them exactly as it would against WorkOS. Faults can be
// injected ([Server.InjectFault]: 429 with Retry-After, 5xx, slow answers,
// dropped connections), the clock is injectable ([Server.SetClock]) and every
// request is recorded ([Server.Calls]).
//
// The fake's fidelity is checked by driving it with workos-go v4 in this
// package's tests. Where WorkOS's behaviour is not documented the fake makes a
// plausible choice, noted on the method concerned.
package workostest
