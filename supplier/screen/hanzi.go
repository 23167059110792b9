package screen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

// hanziPinyinGz is the toneless pinyin of each Hanzi (its first reading),
// generated from github.com/mozillazg/go-pinyin's dictionary (MIT) by
// `go test ./supplier/screen -run TestHanziPinyinTable -args -update`. Lines are
// "DELTA SYLLABLE": the code point as the hexadecimal difference from the
// previous line's.
//
//go:embed hanzi_pinyin.txt.gz
var hanziPinyinGz []byte

// hanziPinyin decodes the table on first use: importing go-pinyin itself
// would build its 41,000-entry map at start-up in every assay command
// (about 2 ms), though only supplier screening needs it.
var hanziPinyin = sync.OnceValue(func() map[rune]string {
	zr, err := gzip.NewReader(bytes.NewReader(hanziPinyinGz))
	if err != nil {
		panic("screen: embedded pinyin table: " + err.Error()) // built into the binary; tested
	}
	m := make(map[rune]string, 42000)
	sc := bufio.NewScanner(zr)
	r := rune(0)
	for sc.Scan() {
		delta, syl, ok := strings.Cut(sc.Text(), " ")
		d, err := strconv.ParseUint(delta, 16, 32)
		if !ok || err != nil {
			panic("screen: embedded pinyin table: bad line " + strconv.Quote(sc.Text()))
		}
		r += rune(d)
		m[r] = syl
	}
	if err := sc.Err(); err != nil {
		panic("screen: embedded pinyin table: " + err.Error())
	}
	return m
})

// singlePinyin returns the toneless pinyin of a Hanzi, "" when it has
// none.
func singlePinyin(r rune) string { return hanziPinyin()[r] }
