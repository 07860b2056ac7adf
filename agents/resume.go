package agents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mastra-community/mastra-go/internal/rest"
)

// SuspendedRun is a run that waits: for a tool call's approval, or for a
// tool that suspended itself to be resumed.
type SuspendedRun struct {
	RunID       string              `json:"runId"`
	Status      string              `json:"status"`
	ThreadID    string              `json:"threadId"`
	ResourceID  string              `json:"resourceId"`
	SuspendedAt time.Time           `json:"suspendedAt"`
	ToolCalls   []SuspendedToolCall `json:"toolCalls"`
}

// SuspendedToolCall is a tool call a suspended run waits on.
type SuspendedToolCall struct {
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Args       json.RawMessage `json:"args"`
	// RequiresApproval reports whether the call waits for approval (answer
	// with ApproveToolCall or DeclineToolCall); otherwise the tool
	// suspended itself with SuspendPayload (answer with ResumeStream).
	RequiresApproval bool            `json:"requiresApproval"`
	SuspendPayload   json.RawMessage `json:"suspendPayload"`
}

// SuspendedRunList is a page of suspended runs.
type SuspendedRunList struct {
	Runs []SuspendedRun `json:"runs"`
	// Total counts all suspended runs that match, over all pages.
	Total int `json:"total"`
}

// SuspendedRunsOptions narrows [Service.ListSuspendedRuns].
type SuspendedRunsOptions struct {
	ThreadID   string
	ResourceID string
	// Page is 0-based; PerPage 0 means the server's default.
	Page, PerPage int
}

// ListSuspendedRuns lists the agent's runs that wait for approval or
// resumption.
func (s *Service) ListSuspendedRuns(ctx context.Context, agentID string, opts *SuspendedRunsOptions) (*SuspendedRunList, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		if opts.ThreadID != "" {
			q.Set("threadId", opts.ThreadID)
		}
		if opts.ResourceID != "" {
			q.Set("resourceId", opts.ResourceID)
		}
		if opts.Page > 0 {
			q.Set("page", strconv.Itoa(opts.Page))
		}
		if opts.PerPage > 0 {
			q.Set("perPage", strconv.Itoa(opts.PerPage))
		}
	}
	var list SuspendedRunList
	if _, err := s.rest.JSON(ctx, rest.Request{Method: http.MethodGet, Path: rest.Path("agents", agentID, "suspended-runs"), Query: q}, &list); err != nil {
		return nil, err
	}
	return &list, nil
}

// ResumeParams resumes a suspended run with [Service.ResumeStream].
type ResumeParams struct {
	// RunID is the suspended run (required).
	RunID string `json:"runId"`
	// ToolCallID is the suspended tool call, when the run waits on several.
	ToolCallID string `json:"toolCallId,omitzero"`
	// ResumeData is what the suspended tool receives; it must match the
	// tool's resume schema (for an approval: {"approved": true}). Required.
	ResumeData any `json:"resumeData"`
	// Memory, RequestContext and Extra are as in GenerateParams.
	Memory         *Memory        `json:"memory,omitzero"`
	RequestContext map[string]any `json:"requestContext,omitzero"`
	Extra          map[string]any `json:"-"`
}

// MarshalJSON encodes the request body, merging Extra.
func (p ResumeParams) MarshalJSON() ([]byte, error) {
	type plain ResumeParams
	return mergeExtra(plain(p), p.Extra)
}

// ResumeStream resumes a suspended run with data for the waiting tool and
// streams the rest of the run.
func (s *Service) ResumeStream(ctx context.Context, agentID string, params ResumeParams) (*Stream, error) {
	if err := checkID("agent", agentID); err != nil {
		return nil, err
	}
	if params.RunID == "" || params.ResumeData == nil {
		return nil, errors.New("mastra: ResumeParams needs RunID and ResumeData")
	}
	return s.stream(ctx, rest.Path("agents", agentID, "resume-stream"), params)
}
