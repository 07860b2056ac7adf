// Command weather asks a Mastra agent a question and prints the answer.
//
//	go run ./examples/weather [-stream] [-agent ID] [-code CODE] "What is the weather in Paris?"
//
// It talks to the Mastra server at MASTRA_BASE_URL, with the bearer token
// MASTRA_TOKEN if set. With WORKOS_API_KEY and WORKOS_CLIENT_ID set it
// signs in with WorkOS first (WORKOS_API_URL points at another WorkOS
// endpoint). With no MASTRA_BASE_URL it starts an in-process demo server
// (and, without WorkOS settings, an in-process WorkOS too) and says so on
// stderr, so it runs anywhere.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("weather", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stream := fs.Bool("stream", false, "print the answer as it arrives")
	agentID := fs.String("agent", "weatherAgent", "id of the agent to ask")
	authCode := fs.String("code", "", "a WorkOS authorization code to exchange instead of signing in")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	prompt := strings.Join(fs.Args(), " ")
	if prompt == "" {
		prompt = "What is the weather in Paris?"
	}
	if err := ask(ctx, stdout, stderr, getenv, *agentID, prompt, *stream, *authCode); err != nil {
		fmt.Fprintln(stderr, "weather:", describe(err))
		return 1
	}
	return 0
}

func ask(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, agentID, prompt string, stream bool, authCode string) error {
	baseURL := getenv("MASTRA_BASE_URL")
	demo := baseURL == ""
	ts, check, cleanup, err := signIn(ctx, stderr, getenv, demo, authCode)
	if err != nil {
		return err
	}
	defer cleanup()

	var opts []client.Option
	switch {
	case ts != nil:
		opts = append(opts, client.WithTokenSource(ts))
	case getenv("MASTRA_TOKEN") != "":
		opts = append(opts, client.WithToken(getenv("MASTRA_TOKEN")))
	}
	if demo {
		var srvOpts []mastratest.Option
		if check != nil {
			srvOpts = append(srvOpts, mastratest.WithTokenCheck(check))
		}
		srv := mastratest.NewServer(srvOpts...)
		defer srv.Close()
		baseURL = srv.URL
		fmt.Fprintf(stderr, "MASTRA_BASE_URL is not set: using the in-process demo Mastra server at %s\n", srv.URL)
	}

	mc, err := client.New(baseURL, opts...)
	if err != nil {
		return err
	}
	params := agents.GenerateParams{Messages: agents.Text(prompt)}
	if !stream {
		res, err := mc.Agents.Generate(ctx, agentID, params)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res.Text)
		return nil
	}
	st, err := mc.Agents.Stream(ctx, agentID, params)
	if err != nil {
		return err
	}
	defer st.Close()
	for chunk, err := range st.Chunks() {
		if err != nil {
			fmt.Fprintln(stdout)
			return err
		}
		if text, ok := chunk.TextDelta(); ok {
			fmt.Fprint(stdout, text)
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// describe turns an error into one line for a person.
func describe(err error) string {
	switch {
	case mastra.IsUnauthorized(err):
		return "the Mastra server refused the request (401): the token was missing or rejected; set MASTRA_TOKEN or sign in with WorkOS"
	case mastra.IsForbidden(err):
		return "the Mastra server denied access (403) to this user"
	case mastra.IsNotFound(err):
		return err.Error() + " (check -agent)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}
