package hanzi

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

// TestPinyinTable checks that pinyin.txt holds exactly the first toneless
// reading go-pinyin gives every character of its dictionary. With
// ASSAY_UPDATE_PINYIN=1 it rewrites pinyin.txt instead.
func TestPinyinTable(t *testing.T) {
	args := pinyin.Args{Style: pinyin.Normal, Fallback: func(rune, pinyin.Args) []string { return nil }}
	bySyl := map[string][]rune{}
	want := map[rune]string{}
	for k := range pinyin.PinyinDict {
		r := rune(k)
		if p := pinyin.SinglePinyin(r, args); len(p) > 0 && p[0] != "" {
			bySyl[p[0]] = append(bySyl[p[0]], r)
			want[r] = p[0]
		}
	}
	if os.Getenv("ASSAY_UPDATE_PINYIN") != "" {
		var b strings.Builder
		for _, syl := range slices.Sorted(maps.Keys(bySyl)) {
			rs := bySyl[syl]
			slices.Sort(rs)
			fmt.Fprintf(&b, "%s\t%s\n", syl, string(rs))
		}
		if err := os.WriteFile("pinyin.txt", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote pinyin.txt: %d syllables, %d characters", len(bySyl), len(want))
		return
	}
	got := pinyinMap()
	if len(got) != len(want) {
		t.Errorf("pinyin.txt has %d characters, go-pinyin %d (regenerate with ASSAY_UPDATE_PINYIN=1)", len(got), len(want))
	}
	for r, p := range want {
		if got[r] != p {
			t.Fatalf("pinyin.txt: %c is %q, go-pinyin says %q (regenerate with ASSAY_UPDATE_PINYIN=1)", r, got[r], p)
		}
	}

}
