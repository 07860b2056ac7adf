package agents

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeChunk checks the one-pass envelope decoder against
// encoding/json: it must never panic, must accept exactly the valid JSON
// objects, and must find the same type, runId, from and payload.
func FuzzDecodeChunk(f *testing.F) {
	for _, s := range []string{
		`{"type":"text-delta","runId":"r1","from":"AGENT","payload":{"id":"t","text":"Hi \"there\""}}`,
		`{"runId":"r1","type":"step-start","payload":{"request":{},"warnings":[]},"from":"AGENT"}`,
		`{"type":"object","object":{"a":[1,2,{"b":"}"}]}}`,
		`{"type":"x\u0041","payload":null}`,
		` { "type" : "a" , "payload" : [ ] } `,
		`{"type":1}`, `{}`, `[]`, `{"a":}`, `{"type":"a"`, `"str"`, `{"payload":"\\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Chunk
		err := decodeChunk(data, &got, "r1")
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil || obj == nil {
			if err == nil {
				t.Fatalf("accepted %q, which is not a JSON object", data)
			}
			return
		}
		// Keys match exactly (encoding/json would also match "tYpe").
		var want struct {
			Type, RunID, From any
			Payload           json.RawMessage
		}
		for k, dst := range map[string]*any{"type": &want.Type, "runId": &want.RunID, "from": &want.From} {
			if v, ok := obj[k]; ok {
				_ = json.Unmarshal(v, dst)
			}
		}
		want.Payload = obj["payload"]
		if err != nil {
			// Strings are required for type, runId and from.
			for _, v := range []any{want.Type, want.RunID, want.From} {
				if _, isString := v.(string); v != nil && !isString {
					return
				}
			}
			t.Fatalf("refused valid chunk %q: %v", data, err)
		}
		if s, _ := want.Type.(string); s != got.Type {
			t.Fatalf("type %q, want %q", got.Type, s)
		}
		if s, _ := want.RunID.(string); s != got.RunID {
			t.Fatalf("runId %q, want %q", got.RunID, s)
		}
		if s, _ := want.From.(string); s != got.From {
			t.Fatalf("from %q, want %q", got.From, s)
		}
		if string(want.Payload) == "null" {
			want.Payload = nil
		}
		if (want.Payload == nil) != (got.Payload == nil) || (got.Payload != nil && !json.Valid(got.Payload)) {
			t.Fatalf("payload %q, want %q", got.Payload, want.Payload)
		}
		if got.Type == "text-delta" {
			var p map[string]json.RawMessage
			var text string
			if json.Unmarshal(got.Payload, &p) == nil && json.Unmarshal(p["text"], &text) == nil {
				if s, ok := got.TextDelta(); !ok || s != text {
					t.Fatalf("TextDelta %q %v, want %q", s, ok, text)
				}
			}
		}
	})
}
