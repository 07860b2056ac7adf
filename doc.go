// Package mastra is the root of mastra-go, the Go SDK for calling Mastra
// AI agents (https://mastra.ai) over HTTP, with WorkOS sign-in built in.
//
// # Packages
//
//   - client: [client.New] returns a MastraClient for one Mastra server:
//     base URL, API prefix, headers, retries, timeouts, and the bearer
//     token from an oauth2.TokenSource.
//   - agents: the agent API, reached as MastraClient.Agents: List, Get,
//     GetTool, ExecuteTool, Generate, Stream, and the tool-approval calls.
//   - workosauth: WorkOS sign-in for Go programs that call a protected
//     Mastra server (authorization URL, code exchange, a refreshing
//     oauth2.TokenSource with a token store), and, on the server side, a
//     verifier and net/http middleware that accept the same WorkOS access
//     tokens as Mastra's MastraAuthWorkos.
//   - mastratest and workosauth/workostest: in-process fakes of a Mastra
//     server and of WorkOS, for your own tests and demos.
//   - this package: [Transport], the round-tripper that adds the bearer
//     token to requests for the Mastra origin only, and [APIError], the
//     error for every non-2xx answer.
//
// # Calling an agent
//
//	mc, err := client.New("http://127.0.0.1:4111", client.WithToken(token))
//	if err != nil { ... }
//	res, err := mc.Agents.Generate(ctx, "weatherAgent", agents.GenerateParams{
//		Messages: agents.Text("What is the weather in Paris?"),
//	})
//	fmt.Println(res.Text)
//
// Generate waits for the whole answer. Stream returns it as it is made:
// the call itself returns HTTP and auth failures, and the chunks come from
// an iterator that ends with an error if the run fails, the connection is
// cut or the context ends:
//
//	st, err := mc.Agents.Stream(ctx, "weatherAgent", params)
//	if err != nil { ... }
//	defer st.Close()
//	for chunk, err := range st.Chunks() {
//		if err != nil { ... }
//		if text, ok := chunk.TextDelta(); ok { fmt.Print(text) }
//	}
//
// # Errors
//
// A non-2xx answer is an [*APIError] (status, the server's message,
// validation issues, request id and a bounded copy of the body); use
// [errors.As] or the predicates [IsNotFound], [IsUnauthorized],
// [IsForbidden], [IsInvalidRequest], [IsRateLimited] and [IsServerError].
// A failing token source is a [*TokenError]; a model failure inside a
// stream is an *agents.StreamError; a cancelled context is ctx.Err().
// No error text or log line holds a token.
//
// # Retries and timeouts
//
// Requests are retried with jittered exponential backoff (3 retries,
// 100 ms doubling to 1 s, like @mastra/client-js), honouring Retry-After
// up to a cap. Reads are retried on connection errors, 408, 429 and 5xx.
// Requests that run an agent (generate, stream, tool execution, approval)
// are retried only where the server cannot have run them (the connection
// was refused, 429, 503), unless the client was built with
// client.WithRetryAgentRuns. A stream is never retried once the server
// answered. The final failure keeps its status and body.
//
// Deadlines come from the context. The SDK's own transport also bounds the
// wait for response headers (client.WithResponseHeaderTimeout); it never
// sets http.Client.Timeout, which would cut long streams.
//
// # Signing in with WorkOS
//
// The workosauth package exchanges a WorkOS authorization code for a
// session and turns it into an oauth2.TokenSource that refreshes the
// access token before it expires, one refresh at a time, persisting the
// rotated refresh token; pass it to client.WithTokenSource. See its
// documentation.
package mastra
