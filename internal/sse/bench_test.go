package sse_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/mastra-community/mastra-go/internal/sse"
)

// BenchmarkDecoder decodes the recorded Mastra stream, repeated to about
// 1 MB, from memory.
func BenchmarkDecoder(b *testing.B) {
	raw, err := os.ReadFile("testdata/stream-weather.sse")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"LF", raw},
		{"CRLF", bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))},
	} {
		in := bytes.Repeat(tc.in, (1<<20)/len(tc.in)+1)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			r := bytes.NewReader(in)
			events := 0
			for b.Loop() {
				r.Reset(in)
				d := sse.NewDecoder(r)
				for {
					_, err := d.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					events++
				}
			}
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
			allocs := testing.AllocsPerRun(3, func() {
				r.Reset(in)
				d := sse.NewDecoder(r)
				for {
					if _, err := d.Next(); err != nil {
						break
					}
				}
			})
			b.ReportMetric(allocs*float64(b.N)/float64(events), "allocs/event")
		})
	}
}
