package agents

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// This file decodes the chunk envelope {type, runId, from, payload} in one
// pass over the bytes, without encoding/json's reflection: streams are hot
// paths, and the payload is only decoded when an accessor asks for it.

var errSyntax = errors.New("invalid JSON")

// decodeChunk fills c from data, which must be a JSON object. c.Raw and
// c.Payload alias data.
func decodeChunk(data []byte, c *Chunk, lastRunID string) error {
	if !json.Valid(data) {
		return errSyntax
	}
	*c = Chunk{Raw: data}
	return scanObject(data, func(key, val []byte) error {
		if string(val) == "null" {
			// As encoding/json, null empties the field (also when the
			// key came before).
			switch string(key) {
			case "type":
				c.Type = ""
			case "runId":
				c.RunID = ""
			case "from":
				c.From = ""
			case "payload":
				c.Payload = nil
			}
			return nil
		}
		switch string(key) {
		case "type":
			s, err := unquote(val)
			if err != nil {
				return err
			}
			c.Type = internType(s)
		case "runId":
			if len(val) == len(lastRunID)+2 && string(val[1:len(val)-1]) == lastRunID {
				c.RunID = lastRunID
				return nil
			}
			s, err := unquote(val)
			if err != nil {
				return err
			}
			c.RunID = string(s)
		case "from":
			s, err := unquote(val)
			if err != nil {
				return err
			}
			c.From = internFrom(s)
		case "payload":
			c.Payload = val
		}
		return nil
	})
}

// internType returns the chunk type as a string, without allocating for
// the common types.
func internType(b []byte) string {
	switch string(b) {
	case "text-delta":
		return "text-delta"
	case "text-start":
		return "text-start"
	case "text-end":
		return "text-end"
	case "tool-call":
		return "tool-call"
	case "tool-result":
		return "tool-result"
	case "tool-call-delta":
		return "tool-call-delta"
	case "step-start":
		return "step-start"
	case "step-finish":
		return "step-finish"
	case "reasoning-delta":
		return "reasoning-delta"
	case "start":
		return "start"
	case "finish":
		return "finish"
	case "error":
		return "error"
	}
	return string(b)
}

func internFrom(b []byte) string {
	switch string(b) {
	case "AGENT":
		return "AGENT"
	case "USER":
		return "USER"
	case "SYSTEM":
		return "SYSTEM"
	case "WORKFLOW":
		return "WORKFLOW"
	case "NETWORK":
		return "NETWORK"
	}
	return string(b)
}

// stringField returns the string member key of the JSON object obj.
func stringField(obj []byte, key string) (string, bool) {
	var out string
	found := false
	err := scanObject(obj, func(k, val []byte) error {
		if found || string(k) != key || len(val) == 0 || val[0] != '"' {
			return nil
		}
		s, err := unquote(val)
		if err != nil {
			return err
		}
		out, found = string(s), true
		return nil
	})
	return out, found && err == nil
}

// unquote returns the contents of the JSON string val. Strings without
// escapes are returned as a sub-slice; others are decoded like
// encoding/json does (invalid UTF-8 becomes U+FFFD).
func unquote(val []byte) ([]byte, error) {
	if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
		return nil, errSyntax
	}
	inner := val[1 : len(val)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return inner, nil
	}
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// scanObject calls f with the raw key (between its quotes) and raw value
// of each member of the JSON object b. b must already be valid JSON.
func scanObject(b []byte, f func(key, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		kEnd, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return errSyntax
		}
		i = skipSpace(b, i+1)
		vEnd, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := f(key, b[i:vEnd]); err != nil {
			return err
		}
		i = skipSpace(b, vEnd)
		if i >= len(b) {
			break
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return nil
		default:
			return errSyntax
		}
	}
	return errSyntax
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i].
func skipString(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, errSyntax
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errSyntax
}

// skipValue returns the index after the value that starts at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	if j == i {
		return 0, errSyntax
	}
	return j, nil
}
