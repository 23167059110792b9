// Package audit keeps an append-only, tamper-evident log of every change to
// the review state.
//
// Records form the leaves of an RFC 6962 Merkle tree
// (github.com/transparency-dev/merkle). After each append the log signs a
// checkpoint — origin, tree size and root hash — as an Ed25519 note
// (golang.org/x/mod/sumdb/note, the Go checksum-database format). Verify
// recomputes the tree from the records and checks every stored checkpoint,
// so any modified, deleted, inserted or reordered record is detected. A
// checkpoint published outside the store (see Checkpoint.Text) also detects
// truncation of the log together with its latest checkpoints.
package audit

import (
	"bytes"
	"crypto"
	_ "crypto/sha256" // register SHA-256 for the RFC 6962 hasher
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Origin is the first line of every checkpoint of an Assay audit log.
const Origin = "assay.audit/v1"

// Record is one audit entry. Its canonical encoding (Encode) is the Merkle
// leaf, so every field is covered by the checkpoints.
type Record struct {
	// Seq is the 1-based position of the record in the log.
	Seq uint64 `json:"seq"`
	// Time is when the change was made (RFC 3339, UTC).
	Time string `json:"time"`
	// Actor is who made the change.
	Actor string `json:"actor"`
	// Action names the change, e.g. "case.create" or "case.transition".
	Action string `json:"action"`
	// Subject is what changed, e.g. a case ID.
	Subject string `json:"subject"`
	// Reason is the actor's stated reason, if any.
	Reason string `json:"reason,omitempty"`
	// Detail holds action-specific data (JSON).
	Detail json.RawMessage `json:"detail,omitempty"`
	// StateSHA256 is the hex SHA-256 of the subject's stored state after the
	// change, binding the stored state to the log.
	StateSHA256 string `json:"state_sha256,omitempty"`
}

// Encode returns the canonical JSON encoding of r (the Merkle leaf data).
func (r Record) Encode() ([]byte, error) {
	if len(r.Detail) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.Detail); err != nil {
			return nil, fmt.Errorf("audit record %d: detail: %w", r.Seq, err)
		}
		r.Detail = buf.Bytes()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("audit record %d: %w", r.Seq, err)
	}
	return b, nil
}

// Decode parses one stored record.
func Decode(data []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("decode audit record: %w", err)
	}
	return r, nil
}

func hasher() *rfc6962.Hasher { return rfc6962.New(crypto.SHA256) }

func factory() *compact.RangeFactory {
	return &compact.RangeFactory{Hash: hasher().HashChildren}
}

// Tree is the running Merkle state of a log: its size and compact range.
type Tree struct {
	rng *compact.Range
}

// NewTree returns the state of an empty log.
func NewTree() *Tree { return &Tree{rng: factory().NewEmptyRange(0)} }

// LoadTree restores a state saved with Tree.Hashes.
func LoadTree(size uint64, hashes [][]byte) (*Tree, error) {
	r, err := factory().NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("restore audit tree of size %d: %w", size, err)
	}
	return &Tree{rng: r}, nil
}

// Size returns the number of records in the tree.
func (t *Tree) Size() uint64 { return t.rng.End() }

// Hashes returns the compact-range hashes that, with Size, restore the tree.
func (t *Tree) Hashes() [][]byte { return t.rng.Hashes() }

// Append adds the encoded record as the next leaf.
func (t *Tree) Append(leaf []byte) error {
	return t.rng.Append(hasher().HashLeaf(leaf), nil)
}

// Root returns the tree's root hash.
func (t *Tree) Root() ([]byte, error) {
	if t.Size() == 0 {
		return hasher().EmptyRoot(), nil
	}
	return t.rng.GetRootHash(nil)
}

// Checkpoint is a signed statement of a log's size and root hash.
type Checkpoint struct {
	Size uint64
	Root []byte
}

// Text returns the checkpoint body: origin, size and base64 root, one per
// line (the tlog checkpoint format).
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// Sign returns the signed note for c.
func (c Checkpoint) Sign(s note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint %d: %w", c.Size, err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint with v and parses it.
func OpenCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	return parseCheckpoint(n.Text)
}

// peekCheckpoint parses a signed checkpoint's text without checking the
// signature, so Verify can compare roots first and verify signatures last.
func peekCheckpoint(signed []byte) (Checkpoint, error) {
	text, _, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, errors.New("checkpoint: not a signed note")
	}
	return parseCheckpoint(string(text) + "\n")
}

func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 3 || lines[0] != Origin {
		return Checkpoint{}, fmt.Errorf("checkpoint: not an %s checkpoint", Origin)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q: %w", lines[1], err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint root: %w", err)
	}
	return Checkpoint{Size: size, Root: root}, nil
}

// Result summarises a successful verification.
type Result struct {
	Records     int
	Checkpoints int
	Root        []byte
	// Evidence counts evidence files re-hashed by the caller, if any.
	Evidence int
}

// ErrTampered is wrapped by every Verify error that indicates the log does
// not match its checkpoints.
var ErrTampered = errors.New("audit log tampered")

// Verify recomputes the Merkle tree over records (in stored order) and
// checks each signed checkpoint: its signature, and that the tree of its
// size has its root. Records must be numbered 1..n without gaps, and the
// largest checkpoint must cover every record.
func Verify(records [][]byte, checkpoints [][]byte, v note.Verifier) (Result, error) {
	if len(checkpoints) == 0 && len(records) > 0 {
		return Result{}, fmt.Errorf("%w: %d records but no checkpoint", ErrTampered, len(records))
	}
	want := map[uint64][]byte{}
	var maxSize uint64
	for i, signed := range checkpoints {
		c, err := peekCheckpoint(signed)
		if err != nil {
			return Result{}, fmt.Errorf("%w: checkpoint %d: %v", ErrTampered, i, err)
		}
		if prev, ok := want[c.Size]; ok && !bytes.Equal(prev, c.Root) {
			return Result{}, fmt.Errorf("%w: two checkpoints of size %d disagree", ErrTampered, c.Size)
		}
		want[c.Size] = c.Root
		maxSize = max(maxSize, c.Size)
	}
	if maxSize != uint64(len(records)) {
		return Result{}, fmt.Errorf("%w: latest checkpoint covers %d records, log has %d", ErrTampered, maxSize, len(records))
	}
	t := NewTree()
	if root, ok := want[0]; ok && !bytes.Equal(root, hasher().EmptyRoot()) {
		return Result{}, fmt.Errorf("%w: empty-log checkpoint has a root", ErrTampered)
	}
	for i, data := range records {
		r, err := Decode(data)
		if err != nil {
			return Result{}, fmt.Errorf("%w: record %d: %v", ErrTampered, i+1, err)
		}
		if r.Seq != uint64(i+1) {
			return Result{}, fmt.Errorf("%w: record at position %d has seq %d (deleted, inserted or reordered)", ErrTampered, i+1, r.Seq)
		}
		leaf, err := r.Encode()
		if err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrTampered, err)
		}
		if !bytes.Equal(leaf, data) {
			return Result{}, fmt.Errorf("%w: record %d is not in canonical form", ErrTampered, r.Seq)
		}
		if err := t.Append(leaf); err != nil {
			return Result{}, err
		}
		if root, ok := want[t.Size()]; ok {
			got, err := t.Root()
			if err != nil {
				return Result{}, err
			}
			if !bytes.Equal(got, root) {
				return Result{}, fmt.Errorf("%w: records 1..%d do not match the checkpoint of size %d", ErrTampered, t.Size(), t.Size())
			}
		}
	}
	// The records match the checkpoints; now check every signature (the
	// expensive part) and that each signed text is the one compared.
	for i, signed := range checkpoints {
		c, err := OpenCheckpoint(signed, v)
		if err != nil {
			return Result{}, fmt.Errorf("%w: checkpoint %d: %v", ErrTampered, i, err)
		}
		if !bytes.Equal(want[c.Size], c.Root) {
			return Result{}, fmt.Errorf("%w: checkpoint %d: signed root differs", ErrTampered, i)
		}
	}
	root, err := t.Root()
	if err != nil {
		return Result{}, err
	}
	return Result{Records: len(records), Checkpoints: len(checkpoints), Root: root}, nil
}
