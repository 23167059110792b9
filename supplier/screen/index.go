package screen

import (
	"bufio"
	"cmp"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/assayhq/assay/supplier/lists"
)

// IndexFile is the name of the saved screening index inside the lists
// directory.
const IndexFile = "screen-index.gob"

// indexFormat is the on-disk format version of the screening index. Bump
// it whenever normalisation or the index layout changes, so that indexes
// written by an older build are rebuilt instead of used.
const indexFormat = 1

// ErrStaleIndex reports a saved index that does not belong to the
// snapshot (or to this build's normalisation) and must be rebuilt.
var ErrStaleIndex = errors.New("screening index is stale")

// savedIndex is the gob form of a Screener's index: the normalised names
// and the posting lists in compressed sparse row form (sorted keys, offsets
// into one postings array), which decode far faster than maps.
type savedIndex struct {
	Format int
	// Stamp identifies the snapshot the index was built from.
	Stamp string
	Names []savedName

	GramKeys  []uint64
	GramOffs  []int32
	GramPost  []int32
	TokenKeys []string
	TokenOffs []int32
	TokenPost []int32
	IDKeys    []string
	IDOffs    []int32
	IDPost    []int32
}

// savedName is one indexed name.
type savedName struct {
	Entry          int32
	Alias          bool
	Text           string
	Tokens, Keys   []string
	Removed        []string
	Transliterated bool
	Arabic         bool
	Ngrams         int32
}

// SnapshotStamp identifies a snapshot for index staleness checks: its
// update time and entry count (every lists update rewrites both).
func SnapshotStamp(snap *lists.Snapshot) string {
	n := 0
	for _, es := range snap.Entries {
		n += len(es)
	}
	return fmt.Sprintf("%s/%d/%d", snap.UpdatedAt.UTC().Format(time.RFC3339Nano), snap.Version, n)
}

// WriteIndex writes the screener's index in the saved-index format.
func (s *Screener) WriteIndex(w io.Writer) error {
	si := savedIndex{Format: indexFormat, Stamp: s.stamp, Names: make([]savedName, len(s.names))}
	for i, nm := range s.names {
		si.Names[i] = savedName{Entry: nm.entry, Alias: nm.alias, Text: nm.text, Tokens: nm.norm.Tokens, Keys: nm.norm.Keys,
			Removed: nm.norm.Removed, Transliterated: nm.norm.Transliterated, Arabic: nm.norm.Arabic, Ngrams: int32(nm.ngrams)}
	}
	si.GramKeys, si.GramOffs, si.GramPost = toCSR(s.grams)
	si.TokenKeys, si.TokenOffs, si.TokenPost = toCSR(s.tokens)
	si.IDKeys, si.IDOffs, si.IDPost = toCSR(s.ids)
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := gob.NewEncoder(bw).Encode(&si); err != nil {
		return fmt.Errorf("write screening index: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write screening index: %w", err)
	}
	return nil
}

// toCSR flattens a posting map into sorted keys, offsets and postings.
func toCSR[K cmp.Ordered](m map[K][]int32) ([]K, []int32, []int32) {
	keys := make([]K, 0, len(m))
	total := 0
	for k, p := range m {
		keys = append(keys, k)
		total += len(p)
	}
	slices.Sort(keys)
	offs := make([]int32, 0, len(keys)+1)
	post := make([]int32, 0, total)
	for _, k := range keys {
		offs = append(offs, int32(len(post)))
		post = append(post, m[k]...)
	}
	offs = append(offs, int32(len(post)))
	return keys, offs, post
}

// fromCSR rebuilds a posting map; the postings share one backing array.
func fromCSR[K comparable](keys []K, offs, post []int32, nNames int) (map[K][]int32, error) {
	if len(offs) != len(keys)+1 {
		return nil, errors.New("posting offsets do not match keys")
	}
	m := make(map[K][]int32, len(keys))
	for i, k := range keys {
		lo, hi := offs[i], offs[i+1]
		if lo < 0 || hi < lo || int(hi) > len(post) {
			return nil, fmt.Errorf("posting range %d..%d out of bounds", lo, hi)
		}
		p := post[lo:hi:hi]
		for _, n := range p {
			if n < 0 || int(n) >= nNames {
				return nil, fmt.Errorf("posting %d out of range", n)
			}
		}
		m[k] = p
	}
	return m, nil
}

// ReadIndex builds a Screener over snap from an index written by
// WriteIndex. It returns ErrStaleIndex when the index was built from
// another snapshot or by a build with another index format.
func ReadIndex(r io.Reader, snap *lists.Snapshot, opt Options) (*Screener, error) {
	var si savedIndex
	if err := gob.NewDecoder(bufio.NewReaderSize(r, 1<<20)).Decode(&si); err != nil {
		return nil, fmt.Errorf("read screening index: %w", err)
	}
	if si.Format != indexFormat || si.Stamp != SnapshotStamp(snap) {
		return nil, ErrStaleIndex
	}
	s := newScreener(snap, opt)
	s.names = make([]indexedName, len(si.Names))
	for i, sn := range si.Names {
		if sn.Entry < 0 || int(sn.Entry) >= len(s.entries) || len(sn.Keys) != len(sn.Tokens) {
			return nil, fmt.Errorf("read screening index: name %d: %w", i, ErrStaleIndex)
		}
		s.names[i] = indexedName{entry: sn.Entry, alias: sn.Alias, text: sn.Text, ngrams: int(sn.Ngrams),
			norm: Normalized{Tokens: sn.Tokens, Keys: sn.Keys, Removed: sn.Removed, Transliterated: sn.Transliterated, Arabic: sn.Arabic}}
		s.names[i].compact = s.names[i].norm.Compact()
	}
	var err error
	if s.grams, err = fromCSR(si.GramKeys, si.GramOffs, si.GramPost, len(s.names)); err != nil {
		return nil, fmt.Errorf("read screening index: trigrams: %w", err)
	}
	if s.tokens, err = fromCSR(si.TokenKeys, si.TokenOffs, si.TokenPost, len(s.names)); err != nil {
		return nil, fmt.Errorf("read screening index: tokens: %w", err)
	}
	if s.ids, err = fromCSR(si.IDKeys, si.IDOffs, si.IDPost, len(s.entries)); err != nil {
		return nil, fmt.Errorf("read screening index: identifiers: %w", err)
	}
	s.finish()
	return s, nil
}

// SaveIndex writes the screener's index to dir/screen-index.gob
// atomically (temporary file, sync, rename).
func (s *Screener) SaveIndex(dir string) error {
	tmp, err := os.CreateTemp(dir, IndexFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("save screening index: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.WriteIndex(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save screening index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save screening index: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, IndexFile)); err != nil {
		return fmt.Errorf("save screening index: %w", err)
	}
	return nil
}

// Open returns a Screener over snap, using the index saved in dir when it
// belongs to snap; otherwise (missing, stale or unreadable) it builds the
// index and saves it for the next run. rebuilt reports whether the index
// had to be built. A failure to save is returned only when the index
// could not be built either; the Screener is usable regardless.
func Open(dir string, snap *lists.Snapshot, opt Options) (s *Screener, rebuilt bool, err error) {
	if f, ferr := os.Open(filepath.Join(dir, IndexFile)); ferr == nil {
		s, err = ReadIndex(f, snap, opt)
		f.Close()
		if err == nil {
			return s, false, nil
		}
	}
	s = New(snap, opt)
	return s, true, s.SaveIndex(dir)
}

// finish computes what follows from the names and postings: IDF weights
// and the per-query scratch pool.
func (s *Screener) finish() {
	n := float64(len(s.names) + 1)
	s.maxIDF = math.Log(n)
	for i := range s.names {
		nm := &s.names[i]
		nm.weights = make([]float64, len(nm.norm.Keys))
		nm.total = 0
		for j, t := range nm.norm.Keys {
			nm.weights[j] = s.idf(t)
			nm.total += nm.weights[j]
		}
	}
	s.pool.New = func() any { return &scratch{counts: make([]uint16, len(s.names)), sums: make([]float32, len(s.names))} }
}
