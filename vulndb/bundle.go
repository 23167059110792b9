package vulndb

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// BundleSchema identifies the manifest of an offline bundle.
const BundleSchema = "assay.dbbundle/v1"

// MaxBundleFileBytes bounds one file inside a bundle being imported.
const MaxBundleFileBytes int64 = 16 << 30

// Manifest describes an offline bundle: the snapshot it carries, the
// provenance of each source, and the digest of every file.
type Manifest struct {
	Schema    string         `json:"schema"`
	Snapshot  string         `json:"snapshot"`
	CreatedAt string         `json:"created_at"`
	Sources   []SourceStatus `json:"sources"`
	Files     []BundleFile   `json:"files"`
}

// BundleFile is one file of a bundle with its SHA-256 digest.
type BundleFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Export writes the current snapshot as one offline bundle (a gzip tar
// holding manifest.json first, then vuln.db) for air-gapped sites.
func Export(ctx context.Context, home, out string) (*Manifest, error) {
	db, err := Open(ctx, home)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		return nil, err
	}
	sum, size, err := fileDigest(db.path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	m := &Manifest{
		Schema: BundleSchema, Snapshot: db.snapshot, CreatedAt: time.Now().UTC().Format(time.RFC3339),
		Sources: st.Sources, Files: []BundleFile{{Name: "vuln.db", Size: size, SHA256: sum}},
	}
	tmp := out + ".tmp"
	if err := writeBundle(tmp, m, db.path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("export %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, fmt.Errorf("export %s: %w", out, err)
	}
	return m, nil
}

func writeBundle(path string, m *Manifest, dbPath string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	now := time.Now()
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(manifest)), ModTime: now}); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	in, err := os.Open(dbPath)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := tw.WriteHeader(&tar.Header{Name: "vuln.db", Mode: 0o644, Size: m.Files[0].Size, ModTime: now}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, in); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Sync()
}

// Import installs the snapshot of an offline bundle after verifying the
// digest of every file against its manifest and checking the database.
// Nothing changes unless every check passes.
func Import(ctx context.Context, home, bundle string) (*Manifest, error) {
	l := newLayout(home)
	unlock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	staging, err := l.staging()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	m, err := unpackBundle(bundle, staging)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", bundle, err)
	}
	db, err := openSnapshot(ctx, filepath.Join(staging, "vuln.db"), m.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", bundle, err)
	}
	var check string
	err = db.sql.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check)
	db.Close()
	if err != nil || check != "ok" {
		return nil, fmt.Errorf("import %s: database integrity check failed: %q %v", bundle, check, err)
	}
	name := newName(time.Now())
	if err := l.install(staging, name); err != nil {
		return nil, err
	}
	return m, nil
}

// unpackBundle extracts the files a manifest lists into dir, verifying
// sizes and digests; unlisted or duplicate entries are refused.
func unpackBundle(bundle, dir string) (*Manifest, error) {
	f, err := os.Open(bundle)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("not a gzip bundle: %w", err)
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "manifest.json" {
		return nil, errors.New("bundle does not start with manifest.json")
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Schema != BundleSchema {
		return nil, fmt.Errorf("manifest schema %q, want %q", m.Schema, BundleSchema)
	}
	want := map[string]BundleFile{}
	for _, bf := range m.Files {
		want[bf.Name] = bf
	}
	if _, ok := want["vuln.db"]; !ok {
		return nil, errors.New("manifest lists no vuln.db")
	}
	got := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read bundle: %w", err)
		}
		bf, ok := want[hdr.Name]
		if !ok || got[hdr.Name] || hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("unexpected entry %q", hdr.Name)
		}
		got[hdr.Name] = true
		if err := extractVerified(tr, filepath.Join(dir, hdr.Name), bf); err != nil {
			return nil, err
		}
	}
	for name := range want {
		if !got[name] {
			return nil, fmt.Errorf("manifest lists %s but the bundle lacks it", name)
		}
	}
	return &m, nil
}

func extractVerified(r io.Reader, path string, bf BundleFile) error {
	if bf.Size < 0 || bf.Size > MaxBundleFileBytes {
		return fmt.Errorf("%s: size %d outside the limit of %d bytes", bf.Name, bf.Size, MaxBundleFileBytes)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(r, bf.Size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", bf.Name, err)
	}
	if n != bf.Size {
		return fmt.Errorf("%s: %d bytes, manifest says %d", bf.Name, n, bf.Size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != bf.SHA256 {
		return fmt.Errorf("%s: sha256 %s does not match the manifest's %s", bf.Name, sum, bf.SHA256)
	}
	return out.Sync()
}

func fileDigest(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
