package agents

import (
	"context"
	"errors"

	"github.com/mastra-community/mastra-go/internal/rest"
)

// ToolApproval answers a tool call that waits for approval: a
// "tool-call-approval" chunk of a stream, or a generate answer with finish
// reason "suspended".
type ToolApproval struct {
	// RunID is the suspended run (required).
	RunID string `json:"runId"`
	// ToolCallID is the waiting tool call (required).
	ToolCallID string `json:"toolCallId"`
	// RequestContext is merged into the server's request context.
	RequestContext map[string]any `json:"requestContext,omitzero"`
	// Reason tells the model why the call was declined; approvals ignore it.
	Reason string `json:"reason,omitzero"`
}

func (a *ToolApproval) check(agentID string) error {
	if err := checkID("agent", agentID); err != nil {
		return err
	}
	if a.RunID == "" || a.ToolCallID == "" {
		return errors.New("mastra: ToolApproval needs RunID and ToolCallID")
	}
	return nil
}

// approve returns the body of an approval: Reason is for declines only.
func (a ToolApproval) approve() ToolApproval {
	a.Reason = ""
	return a
}

// ApproveToolCall lets a waiting tool call run and streams the rest of the
// run.
func (s *Service) ApproveToolCall(ctx context.Context, agentID string, a ToolApproval) (*Stream, error) {
	if err := a.check(agentID); err != nil {
		return nil, err
	}
	return s.stream(ctx, rest.Path("agents", agentID, "approve-tool-call"), a.approve())
}

// DeclineToolCall refuses a waiting tool call and streams the rest of the
// run.
func (s *Service) DeclineToolCall(ctx context.Context, agentID string, a ToolApproval) (*Stream, error) {
	if err := a.check(agentID); err != nil {
		return nil, err
	}
	return s.stream(ctx, rest.Path("agents", agentID, "decline-tool-call"), a)
}

// ApproveToolCallGenerate lets a waiting tool call run and waits for the
// rest of the run.
func (s *Service) ApproveToolCallGenerate(ctx context.Context, agentID string, a ToolApproval) (*GenerateResult, error) {
	if err := a.check(agentID); err != nil {
		return nil, err
	}
	return s.generate(ctx, rest.Path("agents", agentID, "approve-tool-call-generate"), a.approve())
}

// DeclineToolCallGenerate refuses a waiting tool call and waits for the
// rest of the run.
func (s *Service) DeclineToolCallGenerate(ctx context.Context, agentID string, a ToolApproval) (*GenerateResult, error) {
	if err := a.check(agentID); err != nil {
		return nil, err
	}
	return s.generate(ctx, rest.Path("agents", agentID, "decline-tool-call-generate"), a)
}
