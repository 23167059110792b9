package audit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// buildLog returns n encoded records and signed checkpoints taken after
// every append when every is 1, or every k appends plus the final one.
func buildLog(t testing.TB, rng *rand.Rand, keys *Keys, n, every int) (records, checkpoints [][]byte) {
	t.Helper()
	tree := NewTree()
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	actions := []string{"case.create", "case.transition", "case.attach", "case.assess", "case.decide"}
	for i := 1; i <= n; i++ {
		r := Record{
			Seq:         uint64(i),
			Time:        base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano),
			Actor:       fmt.Sprintf("reviewer%d", rng.IntN(3)),
			Action:      actions[rng.IntN(len(actions))],
			Subject:     fmt.Sprintf("CR-%04d", rng.IntN(5)+1),
			Reason:      fmt.Sprintf("reason %d", rng.Int()),
			Detail:      json.RawMessage(fmt.Sprintf(`{"n":%d}`, rng.IntN(1000))),
			StateSHA256: fmt.Sprintf("%064x", rng.Uint64()),
		}
		leaf, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Append(leaf); err != nil {
			t.Fatal(err)
		}
		records = append(records, leaf)
		if i%every == 0 || i == n {
			root, err := tree.Root()
			if err != nil {
				t.Fatal(err)
			}
			cp, err := Checkpoint{Size: tree.Size(), Root: root}.Sign(keys.Signer)
			if err != nil {
				t.Fatal(err)
			}
			checkpoints = append(checkpoints, cp)
		}
	}
	return records, checkpoints
}

func TestVerifyIntact(t *testing.T) {
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, every := range []int{1, 7} {
		recs, cps := buildLog(t, rng, keys, 50, every)
		res, err := Verify(recs, cps, keys.Verifier)
		if err != nil {
			t.Fatalf("every=%d: %v", every, err)
		}
		if res.Records != 50 {
			t.Errorf("records = %d", res.Records)
		}
	}
	if _, err := Verify(nil, nil, keys.Verifier); err != nil {
		t.Errorf("empty log: %v", err)
	}
}

// modify changes one field of record i and re-encodes it canonically, as a
// tamperer who understands the format would.
func modify(t *testing.T, rng *rand.Rand, recs [][]byte, i int) string {
	r, err := Decode(recs[i])
	if err != nil {
		t.Fatal(err)
	}
	field := rng.IntN(8)
	switch field {
	case 0:
		r.Actor += "x"
	case 1:
		r.Action = "case.decide.forged"
	case 2:
		r.Subject = "CR-9999"
	case 3:
		r.Reason = ""
	case 4:
		r.Time = "2020-01-01T00:00:00Z"
	case 5:
		r.Detail = json.RawMessage(`{"n":-1}`)
	case 6:
		r.StateSHA256 = fmt.Sprintf("%064x", rng.Uint64())
	case 7:
		// flip one raw byte instead of re-encoding
		b := append([]byte(nil), recs[i]...)
		b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		recs[i] = b
		return "byte flip"
	}
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	recs[i] = b
	return fmt.Sprintf("field %d", field)
}

// TestVerifyDetectsEverySingleTamper applies one random modification,
// deletion or reordering to a random log and requires Verify to fail.
func TestVerifyDetectsEverySingleTamper(t *testing.T) {
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	type log struct{ recs, cps [][]byte }
	pool := make([]log, 40)
	for k := range pool {
		pool[k].recs, pool[k].cps = buildLog(t, rng, keys, 2+rng.IntN(40), 1+rng.IntN(10))
	}
	trials := 400
	if testing.Short() {
		trials = 100
	}
	counts := map[string]int{}
	for trial := range trials {
		l := pool[rng.IntN(len(pool))]
		recs, cps := append([][]byte(nil), l.recs...), l.cps
		n := len(recs)
		i := rng.IntN(n)
		j := rng.IntN(n - 1)
		if j >= i {
			j++
		}
		var what string
		switch op := rng.IntN(4); op {
		case 0:
			what = "modify " + modify(t, rng, recs, i)
		case 1:
			recs = append(recs[:i], recs[i+1:]...)
			what = "delete"
		case 2:
			recs[i], recs[j] = recs[j], recs[i]
			what = "swap"
		case 3:
			// move record i to position j, renumbering nothing
			r := recs[i]
			recs = append(recs[:i], recs[i+1:]...)
			recs = append(recs[:j], append([][]byte{r}, recs[j:]...)...)
			what = "move"
		}
		counts[what]++
		if _, err := Verify(recs, cps, keys.Verifier); !errors.Is(err, ErrTampered) {
			t.Fatalf("trial %d (seed %d): %s of record %d (j=%d) in a log of %d not detected: err=%v", trial, seed, what, i+1, j+1, n, err)
		}
	}
	t.Logf("tampering detected in all %d trials: %v", trials, counts)
}

// TestVerifyDetectsEveryPosition applies every single deletion, swap, move
// and field modification at every position of small logs.
func TestVerifyDetectsEveryPosition(t *testing.T) {
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(21, 22))
	const n = 10
	for _, every := range []int{1, 4, n} {
		recs, cps := buildLog(t, rng, keys, n, every)
		check := func(what string, tampered [][]byte) {
			t.Helper()
			if _, err := Verify(tampered, cps, keys.Verifier); !errors.Is(err, ErrTampered) {
				t.Fatalf("checkpoint every %d: %s not detected: %v", every, what, err)
			}
		}
		for i := range n {
			check(fmt.Sprintf("delete %d", i+1), append(append([][]byte(nil), recs[:i]...), recs[i+1:]...))
			for field := range 7 {
				tampered := append([][]byte(nil), recs...)
				r, _ := Decode(tampered[i])
				switch field {
				case 0:
					r.Actor += "x"
				case 1:
					r.Action += "x"
				case 2:
					r.Subject += "x"
				case 3:
					r.Reason += "x"
				case 4:
					r.Time = "2020-01-01T00:00:00Z"
				case 5:
					r.Detail = json.RawMessage(`{"n":-1}`)
				case 6:
					r.StateSHA256 = "00"
				}
				tampered[i], _ = r.Encode()
				check(fmt.Sprintf("modify field %d of %d", field, i+1), tampered)
			}
			for j := range n {
				if i == j {
					continue
				}
				swapped := append([][]byte(nil), recs...)
				swapped[i], swapped[j] = swapped[j], swapped[i]
				check(fmt.Sprintf("swap %d and %d", i+1, j+1), swapped)
				moved := append(append([][]byte(nil), recs[:i]...), recs[i+1:]...)
				moved = append(moved[:j], append([][]byte{recs[i]}, moved[j:]...)...)
				check(fmt.Sprintf("move %d to %d", i+1, j+1), moved)
			}
		}
	}
}

// TestVerifyDetectsRenumberedReorder swaps two records and rewrites their
// sequence numbers so the numbering looks intact.
func TestVerifyDetectsRenumberedReorder(t *testing.T) {
	keys, _ := GenerateKeys()
	rng := rand.New(rand.NewPCG(3, 4))
	recs, cps := buildLog(t, rng, keys, 10, 1)
	a, _ := Decode(recs[2])
	b, _ := Decode(recs[5])
	a.Seq, b.Seq = b.Seq, a.Seq
	recs[2], _ = b.Encode()
	recs[5], _ = a.Encode()
	if _, err := Verify(recs, cps, keys.Verifier); !errors.Is(err, ErrTampered) {
		t.Fatalf("renumbered reorder not detected: %v", err)
	}
}

func TestVerifyRejectsForeignKeyAndTruncation(t *testing.T) {
	keys, _ := GenerateKeys()
	other, _ := GenerateKeys()
	rng := rand.New(rand.NewPCG(5, 6))
	recs, cps := buildLog(t, rng, keys, 5, 1)
	if _, err := Verify(recs, cps, other.Verifier); !errors.Is(err, ErrTampered) {
		t.Errorf("foreign key accepted: %v", err)
	}
	if _, err := Verify(recs[:4], cps[:4], keys.Verifier); err != nil {
		t.Errorf("consistent prefix rejected: %v", err)
	}
	if _, err := Verify(recs, nil, keys.Verifier); !errors.Is(err, ErrTampered) {
		t.Errorf("records without checkpoints accepted: %v", err)
	}
}

func TestLoadTreeRoundTrip(t *testing.T) {
	tree := NewTree()
	for i := range 13 {
		if err := tree.Append(fmt.Appendf(nil, "leaf %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	restored, err := LoadTree(tree.Size(), tree.Hashes())
	if err != nil {
		t.Fatal(err)
	}
	_ = restored.Append([]byte("next"))
	_ = tree.Append([]byte("next"))
	r1, _ := tree.Root()
	r2, _ := restored.Root()
	if string(r1) != string(r2) {
		t.Error("restored tree diverges")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"seq":1,"time":"2026-11-23T09:00:00Z","actor":"a","action":"case.create","subject":"CR-0001"}`))
	f.Add([]byte(`{"seq":1,"detail":{"x":[1,2]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data)
		if err != nil {
			return
		}
		if _, err := r.Encode(); err != nil {
			t.Skip()
		}
	})
}

func BenchmarkAppendAndSign(b *testing.B) {
	keys, _ := GenerateKeys()
	tree := NewTree()
	leaf := []byte(`{"seq":1,"time":"2026-11-23T09:00:00Z","actor":"a","action":"case.create","subject":"CR-0001"}`)
	for b.Loop() {
		_ = tree.Append(leaf)
		root, _ := tree.Root()
		if _, err := (Checkpoint{Size: tree.Size(), Root: root}).Sign(keys.Signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify1000 verifies a 1,000-record log with a checkpoint after
// every append, as the store keeps it.
func BenchmarkVerify1000(b *testing.B) {
	keys, _ := GenerateKeys()
	recs, cps := buildLog(b, rand.New(rand.NewPCG(1, 1)), keys, 1000, 1)
	for b.Loop() {
		if _, err := Verify(recs, cps, keys.Verifier); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifyDetectsConsistentForgery modifies a record and rewrites the
// checkpoint text to the new root, keeping the old signature: only the
// signature check can catch it.
func TestVerifyDetectsConsistentForgery(t *testing.T) {
	keys, _ := GenerateKeys()
	rng := rand.New(rand.NewPCG(9, 9))
	recs, cps := buildLog(t, rng, keys, 5, 5)
	r, _ := Decode(recs[2])
	r.Actor = "mallory"
	recs[2], _ = r.Encode()
	tree := NewTree()
	for _, leaf := range recs {
		_ = tree.Append(leaf)
	}
	root, _ := tree.Root()
	old, _ := peekCheckpoint(cps[0])
	forged := bytes.Replace(cps[0], []byte(base64.StdEncoding.EncodeToString(old.Root)), []byte(base64.StdEncoding.EncodeToString(root)), 1)
	_, err := Verify(recs, [][]byte{forged}, keys.Verifier)
	if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("consistent forgery not detected by its signature: %v", err)
	}
}
