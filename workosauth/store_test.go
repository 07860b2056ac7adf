package workosauth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mastra-community/mastra-go/workosauth"
)

func ctSampleSession() *workosauth.Session {
	return &workosauth.Session{
		AccessToken:    "at_secret",
		RefreshToken:   "rt_secret",
		Expiry:         time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC),
		IssuedAt:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		OrganizationID: "org_A",
		SessionID:      "session_1",
		User:           usermanagement.User{ID: "user_1", Email: "a@example.com"},
		Impersonator:   &usermanagement.Impersonator{Email: "admin@example.com"},
	}
}

func TestMemoryStoreCopies(t *testing.T) {
	ctx := context.Background()
	s := ctSampleSession()
	m := workosauth.NewMemoryStore(s)
	s.Impersonator.Email = "changed"
	got, _ := m.Load(ctx)
	if got.Impersonator.Email != "admin@example.com" {
		t.Error("store shares the caller's session")
	}
	got.RefreshToken = "changed"
	again, _ := m.Load(ctx)
	if again.RefreshToken != "rt_secret" {
		t.Error("Load returns shared state")
	}
	_ = m.Delete(ctx)
	if got, err := m.Load(ctx); got != nil || err != nil {
		t.Errorf("after Delete: %v %v", got, err)
	}
}

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "dir")
	path := filepath.Join(dir, "session.json")
	fs, err := workosauth.NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fs.Load(ctx); got != nil || err != nil {
		t.Fatalf("missing file: %v %v", got, err)
	}
	s := ctSampleSession()
	if err := fs.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	got, err := fs.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != s.AccessToken || got.RefreshToken != s.RefreshToken || !got.Expiry.Equal(s.Expiry) ||
		got.OrganizationID != "org_A" || got.User.ID != "user_1" || got.Impersonator.Email != "admin@example.com" {
		t.Errorf("round trip: %v", got)
	}
	// Overwrite, and no temporary files left behind.
	s.RefreshToken = "rt_next"
	if err := fs.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if got, _ := fs.Load(ctx); got.RefreshToken != "rt_next" {
		t.Error("overwrite lost")
	}
	if err := fs.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fs.Delete(ctx); err != nil {
		t.Fatal("second Delete:", err)
	}
	if got, err := fs.Load(ctx); got != nil || err != nil {
		t.Fatalf("after Delete: %v %v", got, err)
	}
	// A corrupt file is an error that quotes no content.
	if err := os.WriteFile(path, []byte(`{"version":1,"session":{"refresh_token":"rt_x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Load(ctx); err == nil || strings.Contains(err.Error(), "rt_x") {
		t.Errorf("corrupt file: %v", err)
	}
	if _, err := workosauth.NewFileStore(""); err == nil {
		t.Error("empty path accepted")
	}
}

func TestFileStoreLockExcludesOtherStores(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock here")
	}
	path := filepath.Join(t.TempDir(), "session.json")
	a, _ := workosauth.NewFileStore(path)
	b, _ := workosauth.NewFileStore(path)
	var _ workosauth.LockingStore = a
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlockB, err := b.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
}
