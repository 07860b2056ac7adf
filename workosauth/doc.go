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
// The ctx given here is long-lived: every refresh runs with it, never with
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
package workosauth
