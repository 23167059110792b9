// Package hanzi romanises Chinese characters: the toneless pinyin of each
// Hanzi, for name screening and for output that cannot show the script.
package hanzi

import (
	_ "embed"
	"strings"
	"sync"
)

// pinyinTable is the toneless first reading of every Hanzi that
// github.com/mozillazg/go-pinyin (v0.21.0, MIT, from the pinyin-data
// project) knows, one line per syllable: "syllable<TAB>characters".
// TestPinyinTable checks it against that library and regenerates it with
// ASSAY_UPDATE_PINYIN=1. It is kept as text and decoded on first use
// instead of importing the library, whose 42,000-entry map literal and
// regular expressions would be built at the start of every assay command.
//
//go:embed pinyin.txt
var pinyinTable string

// pinyinMap decodes pinyinTable once, the first time a name holds Hanzi.
var pinyinMap = sync.OnceValue(func() map[rune]string {
	m := make(map[rune]string, 42000)
	for line := range strings.Lines(pinyinTable) {
		syl, chars, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			continue
		}
		for _, r := range chars {
			m[r] = syl
		}
	}
	return m
})

// Pinyin returns the toneless, lower-case pinyin of one Hanzi (its first
// reading), or "" for a rune the table does not hold.
func Pinyin(r rune) string { return pinyinMap()[r] }
