package sse_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mastra-community/mastra-go/internal/sse"
)

func Example() {
	body := strings.NewReader(": connected\n\n" +
		"data: {\"type\":\"text-delta\",\"payload\":{\"text\":\"Hi\"}}\n\n" +
		"data: [DONE]\n\n")
	d := sse.NewDecoder(body)
	for {
		e, err := d.Next()
		if errors.Is(err, io.EOF) {
			fmt.Println("clean end")
			return
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			fmt.Println("stream cut")
			return
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if string(e.Data) == "[DONE]" {
			fmt.Println("done")
			continue
		}
		fmt.Printf("%s\n", e.Data)
	}
	// Output:
	// {"type":"text-delta","payload":{"text":"Hi"}}
	// done
	// clean end
}
