package workosauth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

func TestAPIErrorText(t *testing.T) {
	e := newCTEnv(t)
	code, _ := e.fake.NewCode(e.user.ID, workostest.CodeOptions{})
	if _, err := e.wc.ExchangeCode(context.Background(), code, ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.wc.ExchangeCode(context.Background(), code, "")
	var ae *workosauth.APIError
	if !errors.As(err, &ae) {
		t.Fatal(err)
	}
	want := "workosauth: WorkOS answered 400 invalid_grant: The code '[redacted]' has expired or is invalid. (request id " + ae.RequestID + ")"
	if err.Error() != want {
		t.Errorf("text\n got %q\nwant %q", err.Error(), want)
	}
}

func TestAPIErrorRetryAfterDate(t *testing.T) {
	e := newCTEnv(t)
	e.fake.InjectFault(workostest.Fault{Path: ctAuthPath, Status: 503, RetryAfter: time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat), Times: 1})
	_, err := e.wc.ExchangeCode(context.Background(), "somecode", "")
	var ae *workosauth.APIError
	if !errors.As(err, &ae) || ae.RetryAfter <= time.Second || ae.RetryAfter > 3*time.Second || !ae.Temporary() {
		t.Fatalf("err = %v, retry after %v", err, ae.RetryAfter)
	}
}

func TestSignInErrorText(t *testing.T) {
	e := newCTEnv(t)
	s := e.signIn(t, workostest.CodeOptions{})
	ts := e.source(t, s, ctFast(nil))
	e.fake.EndSession(s.SessionID)
	_, err := ts.Refresh(context.Background())
	var ae *workosauth.APIError
	if !errors.Is(err, workosauth.ErrSignInRequired) || !errors.As(err, &ae) {
		t.Fatal(err)
	}
	want := "workosauth: sign in again: WorkOS answered 400 invalid_grant: Session has already ended. (request id " + ae.RequestID + ")"
	if err.Error() != want {
		t.Errorf("text\n got %q\nwant %q", err.Error(), want)
	}
}
