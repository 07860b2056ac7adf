package workosauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Store persists a session between refreshes and between runs. A
// [TokenSource] saves each new token pair with Save before it hands the new
// access token to anyone, because WorkOS refresh tokens are single-use: a
// pair that is not saved is lost with the process.
//
// Implementations must be safe for concurrent use. Load returns (nil, nil)
// when nothing is stored.
type Store interface {
	Load(ctx context.Context) (*Session, error)
	Save(ctx context.Context, s *Session) error
}

// LockingStore is a Store that can serialise refreshes across processes
// sharing it. A [TokenSource] holds the lock from re-reading the store,
// through the refresh call, until the new pair is saved, so only one
// process spends the refresh token and the others pick up its result.
// [FileStore] implements it on Linux, macOS and the BSDs (flock).
type LockingStore interface {
	Store
	// Lock blocks until the lock is held or ctx ends, and returns the
	// function that releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}

// MemoryStore keeps the session in memory: for one process, and for tests.
type MemoryStore struct {
	mu sync.Mutex
	s  *Session
}

// NewMemoryStore returns a MemoryStore holding a copy of initial (which may
// be nil).
func NewMemoryStore(initial *Session) *MemoryStore {
	return &MemoryStore{s: initial.clone()}
}

// Load returns a copy of the stored session, or nil.
func (m *MemoryStore) Load(context.Context) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s.clone(), nil
}

// Save stores a copy of s.
func (m *MemoryStore) Save(_ context.Context, s *Session) error {
	m.mu.Lock()
	m.s = s.clone()
	m.mu.Unlock()
	return nil
}

// Delete forgets the stored session.
func (m *MemoryStore) Delete(context.Context) error {
	m.mu.Lock()
	m.s = nil
	m.mu.Unlock()
	return nil
}

// FileStore keeps the session as JSON in a file readable by its owner only
// (0600). Writes are atomic: a temporary file in the same directory,
// synced, then renamed over the old one, so a reader (or a crash) never
// sees half a file. Several processes may share one file: on Linux, macOS
// and the BSDs Lock takes an advisory flock on path + ".lock"; elsewhere
// Lock does nothing and a TokenSource relies on re-reading the file when
// WorkOS refuses a refresh token another process already spent.
type FileStore struct {
	path string
}

// NewFileStore returns a FileStore for path. The directory is made (0700)
// if missing; the file is made at the first Save.
func NewFileStore(path string) (*FileStore, error) {
	if path == "" {
		return nil, errors.New("workosauth: NewFileStore: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("workosauth: NewFileStore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("workosauth: NewFileStore: %w", err)
	}
	return &FileStore{path: abs}, nil
}

// Path returns the file's absolute path.
func (f *FileStore) Path() string { return f.path }

// storedSession is the file format.
type storedSession struct {
	Version int      `json:"version"`
	Session *Session `json:"session"`
}

// Load reads the session; a missing or empty file is (nil, nil).
func (f *FileStore) Load(context.Context) (*Session, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(b) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("workosauth: reading the session file: %w", err)
	}
	var st storedSession
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("workosauth: session file %s is not valid JSON", f.path)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("workosauth: session file %s has unknown version %d", f.path, st.Version)
	}
	return st.Session, nil
}

// Save writes the session atomically with mode 0600.
func (f *FileStore) Save(_ context.Context, s *Session) error {
	b, err := json.Marshal(storedSession{Version: 1, Session: s})
	if err != nil {
		return fmt.Errorf("workosauth: encoding the session: %w", err)
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	if err := os.Rename(name, f.path); err != nil {
		return fmt.Errorf("workosauth: saving the session: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable; not supported everywhere
		_ = d.Close()
	}
	return nil
}

// Delete removes the file; a missing file is not an error.
func (f *FileStore) Delete(context.Context) error {
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("workosauth: deleting the session file: %w", err)
	}
	return nil
}

// Lock takes the store's inter-process lock; see [LockingStore].
func (f *FileStore) Lock(ctx context.Context) (func(), error) {
	return lockFile(ctx, f.path+".lock")
}
