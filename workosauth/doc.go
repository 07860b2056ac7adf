// Package workosauth connects the SDK to WorkOS: on the client side it signs
// users in and keeps their access tokens fresh as an [oauth2.TokenSource];
// on the server side it verifies WorkOS access tokens the way a Mastra
// server does.
//
// The package is built on github.com/workos/workos-go/v4 (usermanagement).
// Every WorkOS endpoint is configurable, for a custom authentication domain
// or for tests with the in-process fake in
// [github.com/mastra-community/mastra-go/workosauth/workostest].
//
// # Signing in
//
// A [Client] exchanges authorization codes for sessions:
//
//	wc, err := workosauth.NewClient(clientID, workosauth.ClientConfig{APIKey: apiKey})
//	req, err := wc.AuthorizationURL(workosauth.AuthURLParams{RedirectURI: "https://app.example.com/callback"})
//	// keep req (state, PKCE verifier) server-side; redirect the browser to req.URL
//	// ... then, in the callback handler:
//	sess, err := wc.CompleteSignIn(ctx, req, r.URL.Query())
//
// [Client.AuthorizationURL] makes a random state (checked on the callback
// against CSRF, in constant time) and a PKCE S256 verifier; it targets the
// AuthKit hosted sign-in unless a Provider, OrganizationID or ConnectionID
// is given. [Client.CompleteSignIn] checks the callback and calls
// [Client.ExchangeCode]. The [Session] holds the access token, the
// single-use refresh token, the user, organization id, session id,
// impersonator and authentication method. Its Expiry comes from the access
// token's exp claim, because WorkOS sends no expires_in.
//
// The client side decodes the access token only to read exp, org_id and sid
// and schedule refreshes; it does not verify the signature. Verifying is the
// job of the server that receives the token.
//
// Command-line programs use [Client.SignInFromTerminal]: it listens on
// 127.0.0.1, prints (and tries to open) the authorization URL, checks the
// callback's state, exchanges the code and stops listening, all bounded by
// the context. WorkOS only redirects to registered URIs, so register the
// listener's http://127.0.0.1:<port>/callback (choose a fixed port with
// TerminalConfig.ListenAddr if needed).
//
// Errors from WorkOS are [*APIError] values carrying the status, the WorkOS
// code (invalid_grant, sso_required, mfa_enrollment,
// organization_selection_required, ...), the description and the request
// id. Their text never contains a code, verifier, token or API key.
// Errors of the terminal kinds match [ErrSignInRequired] with errors.Is.
//
// # Refreshing
//
// [Client.NewTokenSource] turns a session into a [TokenSource], an
// oauth2.TokenSource for client.WithTokenSource or oauth2.NewClient:
//
//	ts, err := wc.NewTokenSource(ctx, sess, workosauth.TokenSourceConfig{Store: store})
//	mc, err := client.New(baseURL, client.WithTokenSource(ts))
//
// A TokenSource caches its token, so it needs no oauth2.ReuseTokenSource
// around it; it also fits the root package's Transport for an http.Client of
// your own. The ctx given here is long-lived: every refresh runs with it, never with
// a request's context, so a cancelled request cannot drop a token pair
// WorkOS has already rotated.
//
// The source refreshes before expiry (TokenSourceConfig.RefreshLead, one
// minute by default and at most half the token's lifetime, suited to
// WorkOS's five-minute tokens) and keeps the session's organization across
// refreshes (WorkOS would otherwise fall back to the session's original
// organization). [TokenSource.SwitchOrganization] moves the session to
// another organization.
//
// WorkOS refresh tokens are single-use and rotate, so the source runs one
// refresh at a time however many goroutines ask; the others wait for its
// result. While the cached token is fresh, Token is an atomic load and a
// clock read, with no lock and no call. Failures come in two classes:
//
//   - terminal: invalid_grant (the refresh token was used, revoked or
//     expired, or the session ended), sso_required and mfa_enrollment.
//     Token returns an error matching [ErrSignInRequired] (and, with
//     errors.As, the [*APIError]); nothing is deleted. The current access
//     token is still served until it expires.
//   - transient: 429 (Retry-After honoured, capped), 408, 5xx and network
//     errors are retried with jittered exponential backoff; the refresh
//     token is kept, and the current access token is served while it is
//     valid.
//
// One hazard cannot be handled on the client: if the network fails after
// WorkOS rotated the pair but before the answer arrived, the new refresh
// token is lost and the user must sign in again.
//
// # Persisting tokens
//
// A [Store] receives each new pair before any caller gets the new access
// token. [MemoryStore] is for one process; [FileStore] writes JSON
// atomically (temporary file, fsync, rename) with mode 0600, and reads a
// missing file as "no session". Processes that share a session share one
// FileStore path: on Linux, macOS and the BSDs the source holds an advisory
// flock ([LockingStore]) from re-reading the file to saving the new pair,
// so only one process spends the refresh token and the others pick up its
// result; everywhere, a refresh refused with invalid_grant re-reads the
// store once, since another process may have rotated the pair. Start a
// source from a stored session by passing a nil session to
// [Client.NewTokenSource]. Sign-out is yours to do: delete the store and,
// if you like, revoke the session with workos-go (Client.UserManagement).
//
// # Testing with the fake WorkOS
//
// The workostest package runs the WorkOS endpoints in-process: it issues
// codes for users you add, rotates single-use refresh tokens, signs RS256
// tokens with claims as WorkOS issues them, serves the JWKS, lists
// memberships, and injects faults (429 with Retry-After, 5xx, slow answers,
// dropped connections) under an injectable clock. Point
// ClientConfig.Endpoint at its URL.
//
// # Verifying tokens on a server
//
// A Go service beside a Mastra server (a backend, a proxy in front of it, a
// tool its agents call) accepts the same WorkOS access tokens with an
// [Authenticator] and its [Authenticator.Middleware]:
//
//	auth, err := workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{
//		ClientID:    clientID,
//		APIKey:      apiKey,
//		PublicPaths: []string{"/health"},
//	})
//	srv := &http.Server{Addr: addr, Handler: auth.Middleware(mux)}
//	// in a handler:
//	u, _ := workosauth.UserFromContext(r.Context())
//
// The middleware answers like a Mastra server: 401
// {"error":"Invalid or expired token"} (with WWW-Authenticate: Bearer) for a
// missing, malformed, expired or unverifiable token, 403
// {"error":"Access denied"} when AuthorizeUser refuses, 500
// {"error":"Authorization error"} when it fails. Unlike Mastra it accepts the
// "Bearer" scheme in any case (RFC 6750) and refuses a bare token without
// it. It never logs tokens, and no error text contains one.
//
// [Authenticator.Authenticate] follows MastraAuthWorkos (current
// generation): without TrustJWTClaims the token's sub is read from WorkOS
// (GET /user_management/users/{id}) and organization claims in the token
// are ignored; organizationId then comes from the user's only membership
// when FetchMemberships is set. With TrustJWTClaims the user is built from
// the verified claims alone, named by JWTClaims ([ClaimPaths], dot paths,
// string values) and adjusted by MapClaims; this is how service tokens from
// a WorkOS JWT template or machine-to-machine tokens are accepted, e.g. with
// OrganizationMembershipID "urn:mastra:organization_membership_id". The
// [User] encodes to JSON with the field names of Mastra's user object (id,
// workosId, email, name, avatarUrl, metadata, organizationId,
// organizationMembershipId, memberships) beside the raw claims.
//
// A [Verifier] does the token checks and can be used alone: RS256 only (an
// explicit allow-list: "none", HS256 and every other algorithm are
// refused), then size, shape, exp and nbf (with VerifierConfig.Leeway),
// optional issuer allow-list and audience, all before the RSA operation.
// Failures are [*TokenError] values matching ErrTokenExpired,
// ErrTokenSignature, ErrTokenUnknownKey, ErrTokenMalformed and the other
// sentinels with errors.Is. Build one Verifier per process: MastraAuthWorkos
// downloads the key set on every request, the Verifier keeps it in memory.
// It refetches when a token names an unknown kid (WorkOS rotated its key),
// merging concurrent refetches into one and waiting a cooldown (10 s)
// between them so random kids cannot flood WorkOS; it refreshes the set
// every 10 minutes so removed keys stop being trusted, and keeps the cached
// keys while WorkOS is unreachable. The Authenticator also caches WorkOS
// users and membership lists for 60 s (up to 1,000 each), so a warm
// Authenticator makes no WorkOS call with TrustJWTClaims and about one call
// per user per minute otherwise. Cookie sessions are not supported: the
// server side reads bearer tokens only.
package workosauth
