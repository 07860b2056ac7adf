package mastra_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	mastra "github.com/mastra-community/mastra-go"
	"github.com/mastra-community/mastra-go/agents"
	"github.com/mastra-community/mastra-go/client"
	"github.com/mastra-community/mastra-go/mastratest"
)

// Ask an agent and wait for the whole answer.
func Example_generate() {
	srv := mastratest.NewServer() // stands in for a real Mastra server
	defer srv.Close()

	mc, err := client.New(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	res, err := mc.Agents.Generate(context.Background(), "weatherAgent", agents.GenerateParams{
		Messages: agents.Text("What is the weather in Paris?"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Text)
	fmt.Println(res.ToolCalls[0].ToolName, string(res.ToolCalls[0].Args))
	fmt.Println(res.FinishReason)
	// Output:
	// The weather in Paris is sunny with a temperature of 21°C.
	// get-weather {"location":"Paris"}
	// stop
}

// Print an answer as it arrives.
func Example_stream() {
	srv := mastratest.NewServer()
	defer srv.Close()
	mc, err := client.New(srv.URL)
	if err != nil {
		log.Fatal(err)
	}

	st, err := mc.Agents.Stream(context.Background(), "echoAgent", agents.GenerateParams{
		Messages: agents.Text("hello"),
	})
	if err != nil {
		log.Fatal(err) // HTTP and auth failures surface here
	}
	defer st.Close()
	var sum agents.StreamResult
	for chunk, err := range st.Chunks() {
		if err != nil {
			log.Fatal(err) // a model error, a cut connection, a cancelled context
		}
		sum.Add(chunk)
		if text, ok := chunk.TextDelta(); ok {
			fmt.Printf("[%s]", text)
		}
	}
	fmt.Println()
	fmt.Println(sum.FinishReason, sum.Usage.OutputTokens)
	// Output:
	// [You ][said: ][hello]
	// stop 3
}

// Tell failures apart with errors.As and the predicates.
func Example_errors() {
	srv := mastratest.NewServer()
	defer srv.Close()
	mc, err := client.New(srv.URL)
	if err != nil {
		log.Fatal(err)
	}

	_, err = mc.Agents.Get(context.Background(), "noSuchAgent")
	var apiErr *mastra.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	fmt.Println(mastra.IsNotFound(err))
	// Output:
	// 404 Agent with id noSuchAgent not found
	// true
}

// Answer a tool call that waits for approval.
func Example_toolApproval() {
	srv := mastratest.NewServer()
	defer srv.Close()
	mc, err := client.New(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	res, err := mc.Agents.Generate(ctx, "approvalAgent", agents.GenerateParams{Messages: agents.Text("Please delete rec-42")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.FinishReason, res.ToolCalls[0].ToolName)

	done, err := mc.Agents.ApproveToolCallGenerate(ctx, "approvalAgent", agents.ToolApproval{
		RunID: res.RunID, ToolCallID: res.ToolCalls[0].ToolCallID,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Text)
	// Output:
	// suspended delete-record
	// Record rec-42 was deleted.
}
