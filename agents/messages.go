package agents

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Messages is the input of a run: a prompt, several prompts, or a
// conversation. Build it with [Text], [Texts] or [Conversation]; the zero
// value is empty and refused before any request is sent.
type Messages struct {
	text  *string
	texts []string
	msgs  []Message
}

// Text is a single user prompt.
func Text(prompt string) Messages { return Messages{text: &prompt} }

// Texts is several user prompts, sent in order.
func Texts(prompts ...string) Messages { return Messages{texts: prompts} }

// Conversation is a list of role/content messages.
func Conversation(msgs ...Message) Messages { return Messages{msgs: msgs} }

// IsZero reports whether m holds no message.
func (m Messages) IsZero() bool {
	return (m.text == nil || *m.text == "") && len(m.texts) == 0 && len(m.msgs) == 0
}

// MarshalJSON encodes m as the server's messages field: a string, an array
// of strings or an array of messages.
func (m Messages) MarshalJSON() ([]byte, error) {
	switch {
	case m.text != nil:
		return json.Marshal(*m.text)
	case m.texts != nil:
		return json.Marshal(m.texts)
	case m.msgs != nil:
		return json.Marshal(m.msgs)
	}
	return nil, errors.New("agents: no messages")
}

// Roles of a message.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleSystem    = "system"
	RoleTool      = "tool"
)

// Message is one message of a conversation. Content is its text; Parts,
// when set, replace Content with a list of parts (text, images, files).
// Raw, when set, is sent as it is instead (any message format the server
// accepts, such as an AI SDK UI message).
type Message struct {
	Role    string
	Content string
	Parts   []Part
	Raw     json.RawMessage
}

// MarshalJSON encodes the message as {"role", "content"}.
func (m Message) MarshalJSON() ([]byte, error) {
	if m.Raw != nil {
		return m.Raw, nil
	}
	if m.Parts != nil {
		return json.Marshal(struct {
			Role    string `json:"role"`
			Content []Part `json:"content"`
		}{m.Role, m.Parts})
	}
	return json.Marshal(struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}{m.Role, m.Content})
}

// UserMessage is a user message with text content.
func UserMessage(text string) Message { return Message{Role: RoleUser, Content: text} }

// AssistantMessage is an assistant message with text content.
func AssistantMessage(text string) Message { return Message{Role: RoleAssistant, Content: text} }

// SystemMessage is a system message with text content.
func SystemMessage(text string) Message { return Message{Role: RoleSystem, Content: text} }

// Part is one part of a message's content, in the AI SDK's format.
type Part struct {
	// Type is "text", "image" or "file".
	Type string `json:"type"`
	// Text is the text of a text part.
	Text string `json:"text,omitzero"`
	// Image is an image URL or base64 data, for an image part.
	Image string `json:"image,omitzero"`
	// Data is a URL or base64 data, for a file part.
	Data string `json:"data,omitzero"`
	// MediaType is the IANA media type of an image or file part.
	MediaType string `json:"mediaType,omitzero"`
	// Filename is the name of a file part.
	Filename string `json:"filename,omitzero"`
}

// TextPart is a text part.
func TextPart(text string) Part { return Part{Type: "text", Text: text} }

// ImagePart is an image part from a URL or base64 data.
func ImagePart(image, mediaType string) Part {
	return Part{Type: "image", Image: image, MediaType: mediaType}
}

// FilePart is a file part from a URL or base64 data.
func FilePart(data, mediaType, filename string) Part {
	return Part{Type: "file", Data: data, MediaType: mediaType, Filename: filename}
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
