package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mastra-community/mastra-go/mastratest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestDemoRun(t *testing.T) {
	for _, args := range [][]string{{"What is the weather in Rome?"}, {"-stream", "What is the weather in Rome?"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut, env(nil))
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		if got := strings.TrimSpace(out.String()); got != "The weather in Rome is sunny with a temperature of 21°C." {
			t.Errorf("%v: got %q", args, got)
		}
		if !strings.Contains(errOut.String(), "in-process demo Mastra server") {
			t.Errorf("the demo mode must say so on stderr: %q", errOut.String())
		}
	}
}

func TestErrorsExitNonZeroWithOneLine(t *testing.T) {
	srv := mastratest.NewServer(mastratest.WithTokenCheck(func(context.Context, string) error { return errors.New("no") }))
	defer srv.Close()
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"401":           {nil, map[string]string{"MASTRA_BASE_URL": srv.URL, "MASTRA_TOKEN": "wrong"}, "token was missing or rejected"},
		"unknown agent": {[]string{"-agent", "nope"}, nil, "(check -agent)"},
		"bad URL":       {nil, map[string]string{"MASTRA_BASE_URL": "localhost:4111"}, "base URL must be http or https"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut, env(tc.env))
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", name, code)
		}
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "weather: ") || !strings.Contains(last, tc.want) {
			t.Errorf("%s: stderr %q, want a line with %q", name, errOut.String(), tc.want)
		}
		if strings.Contains(errOut.String(), "wrong") {
			t.Errorf("%s: the token leaked into stderr", name)
		}
	}
}
