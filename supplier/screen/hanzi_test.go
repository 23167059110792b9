package screen

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

var update = flag.Bool("update", false, "regenerate hanzi_pinyin.txt.gz from go-pinyin")

// pinyinArgs is how the table is derived: toneless, first reading only,
// nothing for characters without pinyin.
var pinyinArgs = pinyin.Args{Style: pinyin.Normal, Fallback: func(rune, pinyin.Args) []string { return nil }}

// TestHanziPinyinTable checks that the embedded table gives, for every
// character go-pinyin knows, exactly what go-pinyin gives (and nothing
// for others); with -update it rewrites the table first.
func TestHanziPinyinTable(t *testing.T) {
	keys := make([]int, 0, len(pinyin.PinyinDict))
	for k := range pinyin.PinyinDict {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if *update {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		prev := 0
		for _, k := range keys {
			if p := pinyin.SinglePinyin(rune(k), pinyinArgs); len(p) > 0 && p[0] != "" {
				fmt.Fprintf(zw, "%x %s\n", k-prev, p[0])
				prev = k
			}
		}
		zw.Close()
		if err := os.WriteFile("hanzi_pinyin.txt.gz", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("table regenerated; run again without -update")
	}
	table := hanziPinyin()
	n := 0
	for _, k := range keys {
		want := ""
		if p := pinyin.SinglePinyin(rune(k), pinyinArgs); len(p) > 0 {
			want = p[0]
		}
		if got := singlePinyin(rune(k)); got != want {
			t.Fatalf("singlePinyin(%c U+%04X) = %q, go-pinyin %q", rune(k), k, got, want)
		}
		if want != "" {
			n++
		}
	}
	if len(table) != n || n < 20000 {
		t.Errorf("table has %d entries, go-pinyin %d", len(table), n)
	}
	for _, r := range []rune{'a', 'Я', 0x10FFFF} {
		if got := singlePinyin(r); got != "" {
			t.Errorf("singlePinyin(%q) = %q, want nothing", r, got)
		}
	}
}
