package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/review"
)

// VendorProfile is a stored vendor profile document (the supplier
// package owns its shape; the store keeps it as JSON).
type VendorProfile struct {
	// Key is the case-folded, space-normalised legal name (VendorKey).
	Key     string
	Name    string
	Version int
	Doc     []byte
	SHA256  string
	Created time.Time
	Updated time.Time
}

// VendorKey is the lookup key of a vendor name: lower case, runs of
// white space collapsed to one space.
func VendorKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// vendorSubject is the audit-log subject of a vendor profile.
func vendorSubject(key string) string { return "vendor:" + key }

// PutVendorProfile stores doc (JSON) as the profile of the vendor name,
// replacing an earlier version, and appends an audit record with the
// document's SHA-256 in the same transaction. It returns the new version.
func (s *Store) PutVendorProfile(ctx context.Context, name string, doc []byte, ch review.Change) (int, error) {
	key := VendorKey(name)
	if key == "" {
		return 0, errors.New("store vendor profile: empty name")
	}
	sum := sha256.Sum256(doc)
	digest := hex.EncodeToString(sum[:])
	now := ch.At.UTC().Format(time.RFC3339Nano)
	version := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`SELECT version FROM vendor_profiles WHERE key = ?`), key).Scan(&version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			version = 1
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO vendor_profiles (key, name, version, doc, doc_sha256, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				key, name, version, string(doc), digest, now, now)
		case err == nil:
			version++
			_, err = tx.ExecContext(ctx, s.q(`UPDATE vendor_profiles SET name = ?, version = ?, doc = ?, doc_sha256 = ?, updated_at = ? WHERE key = ?`),
				name, version, string(doc), digest, now, key)
		}
		if err != nil {
			return fmt.Errorf("store vendor profile %q: %w", name, err)
		}
		if ch.Action == "" {
			ch.Action = "vendor.import"
		}
		return s.appendAudit(ctx, tx, vendorSubject(key), digest, ch)
	})
	return version, err
}

// VendorProfile returns the stored profile of the vendor name, or an error
// wrapping review.ErrNotFound.
func (s *Store) VendorProfile(ctx context.Context, name string) (*VendorProfile, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT key, name, version, doc, doc_sha256, created_at, updated_at FROM vendor_profiles WHERE key = ?`), VendorKey(name))
	if err != nil {
		return nil, fmt.Errorf("read vendor profile %q: %w", name, err)
	}
	ps, err := scanVendorProfiles(rows)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("vendor profile %q: %w", name, review.ErrNotFound)
	}
	return ps[0], nil
}

// VendorProfiles returns every stored profile, ordered by key.
func (s *Store) VendorProfiles(ctx context.Context) ([]*VendorProfile, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT key, name, version, doc, doc_sha256, created_at, updated_at FROM vendor_profiles ORDER BY key`))
	if err != nil {
		return nil, fmt.Errorf("list vendor profiles: %w", err)
	}
	return scanVendorProfiles(rows)
}

func scanVendorProfiles(rows *sql.Rows) ([]*VendorProfile, error) {
	defer rows.Close()
	var out []*VendorProfile
	for rows.Next() {
		var p VendorProfile
		var doc, created, updated string
		if err := rows.Scan(&p.Key, &p.Name, &p.Version, &doc, &p.SHA256, &created, &updated); err != nil {
			return nil, fmt.Errorf("read vendor profiles: %w", err)
		}
		p.Doc = []byte(doc)
		var err error
		if p.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, fmt.Errorf("vendor profile %s: created_at: %w", p.Key, err)
		}
		if p.Updated, err = time.Parse(time.RFC3339Nano, updated); err != nil {
			return nil, fmt.Errorf("vendor profile %s: updated_at: %w", p.Key, err)
		}
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read vendor profiles: %w", err)
	}
	return out, nil
}
