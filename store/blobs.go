package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultMaxEvidenceBytes bounds one evidence file (firmware images can be
// large; raise it with Blobs.MaxBytes).
const DefaultMaxEvidenceBytes = 8 << 30

// Blobs stores evidence content on disk by SHA-256 under
// Dir/sha256/<first two hex digits>/<hex>. It implements review.Blobs.
type Blobs struct {
	Dir string
	// MaxBytes bounds one item; 0 means DefaultMaxEvidenceBytes.
	MaxBytes int64
}

// EvidenceDir is the evidence directory inside the data directory.
func EvidenceDir(home string) string { return filepath.Join(home, "evidence") }

// Path returns where content with this digest is stored.
func (b Blobs) Path(sha string) string {
	return filepath.Join(b.Dir, "sha256", sha[:2], sha)
}

// Put implements review.Blobs.
func (b Blobs) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	limit := b.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxEvidenceBytes
	}
	if err := os.MkdirAll(filepath.Join(b.Dir, "sha256"), 0o755); err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Join(b.Dir, "sha256"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	if n > limit {
		return "", 0, fmt.Errorf("evidence larger than %d bytes", limit)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	dst := b.Path(sha)
	if _, err := os.Stat(dst); err == nil {
		return sha, n, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("evidence store: %w", err)
	}
	return sha, n, nil
}

// Check re-hashes stored content and reports whether it still matches its
// digest.
func (b Blobs) Check(sha string) error {
	f, err := os.Open(b.Path(sha))
	if err != nil {
		return fmt.Errorf("evidence %s: %w", sha, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("evidence %s: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return fmt.Errorf("evidence %s: content now hashes to %s", sha, got)
	}
	return nil
}
