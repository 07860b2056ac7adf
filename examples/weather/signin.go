package main

import (
	"context"
	"io"

	"golang.org/x/oauth2"
)

// signIn decides how the example authenticates. This placeholder signs in
// nowhere: MASTRA_TOKEN, read by main.go, is used instead.
func signIn(ctx context.Context, stderr io.Writer, getenv func(string) string, demo bool, code string) (ts oauth2.TokenSource, check func(ctx context.Context, token string) error, cleanup func(), err error) {
	return nil, nil, func() {}, nil
}
