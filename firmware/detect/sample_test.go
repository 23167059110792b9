package detect

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/firmwaretest"
)

type answerKey struct {
	Findings []struct {
		Path, Category, Severity, ID string
	}
	Decoys []struct {
		Path, Category, ID string
		Allowed            string `json:"allowed_max_severity"`
	}
}

// TestPublicSample scores Detect on the public sample against its answer
// key: recall of planted problems (category and path) must reach 95 % and
// no decoy may be reported above its allowed severity.
func TestPublicSample(t *testing.T) {
	img, keyPath := firmwaretest.Sample(t)
	var key answerKey
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	res, err := firmware.Unpack(context.Background(), img, firmware.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	probs, err := Detect(context.Background(), res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Logf("%-8s %-24s %-40s %s | %s", p.Severity, p.Category, p.Path, p.Detail, p.Evidence)
	}
	found := 0
	for _, f := range key.Findings {
		ok := false
		for _, p := range probs {
			if p.Category == f.Category && p.Path == f.Path {
				ok = true
			}
		}
		if ok {
			found++
		} else {
			t.Errorf("missed %s: %s %s", f.ID, f.Category, f.Path)
		}
	}
	recall := float64(found) / float64(len(key.Findings))
	t.Logf("recall %d/%d = %.1f%%", found, len(key.Findings), 100*recall)
	if recall < 0.95 {
		t.Errorf("recall %.1f%% < 95%%", 100*recall)
	}
	for _, d := range key.Decoys {
		for _, p := range probs {
			if p.Category == d.Category && p.Path == d.Path && SeverityRank(p.Severity) > SeverityRank(d.Allowed) {
				t.Errorf("decoy %s reported: %+v", d.ID, p)
			}
		}
	}
	for _, p := range probs {
		if p.Container == nil || p.Path == "" || p.Path[0] != '/' || SeverityRank(p.Severity) < 0 {
			t.Errorf("malformed problem %+v", p)
		}
	}
}
