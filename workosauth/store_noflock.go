//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package workosauth

import "context"

// lockFile is a no-op where flock is not available: a TokenSource then
// relies on re-reading the store after invalid_grant.
func lockFile(ctx context.Context, _ string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return func() {}, nil
}
