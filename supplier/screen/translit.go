package screen

import (
	"strings"
	"unicode"

	"github.com/assayhq/assay/hanzi"
)

// cyrillic maps Russian, Ukrainian, Belarusian and Bulgarian letters to
// Latin, close to the BGN/PCGN romanisation OFAC and the UN use.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j",
	'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѓ': "g", 'ќ': "k", 'ѕ': "dz",
}

// arabic maps the Arabic (and Persian) consonants and long vowels to
// Latin; short vowels are not written in Arabic script, so this is a
// skeleton that the fuzzy token comparison then tolerates.
var arabic = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh",
	'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "w",
	'ي': "y", 'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "w", 'ئ': "y", 'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g",
	'ک': "k", 'ی': "y",
}

// greek maps Greek letters to Latin.
var greek = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// latinSpecial maps Latin letters that Unicode decomposition leaves alone.
var latinSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'ł': "l", 'đ': "d", 'þ': "th", 'œ': "oe", 'ı': "i", 'ð': "d", 'ŀ': "l",
}

// hanSuffixes are Chinese legal-form endings, removed before pinyin
// conversion so that the remaining characters pair into words cleanly.
var hanSuffixes = []string{"股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司"}

// transliterate rewrites non-Latin scripts in s to Latin and reports
// whether anything was transliterated. Hanzi become pinyin, paired into
// two-syllable words (most Chinese words in company names have two
// characters); Cyrillic, Greek and Arabic use the tables above.
func transliterate(s string) (string, bool) {
	if isASCII(s) {
		return s, false
	}
	var b strings.Builder
	changed := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if unicode.Is(unicode.Han, r) {
			j := i
			for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			b.WriteString(" " + hanRun(string(rs[i:j])) + " ")
			changed = true
			i = j - 1
			continue
		}
		lr := unicode.ToLower(r)
		if t, ok := cyrillic[lr]; ok {
			b.WriteString(t)
			changed = true
		} else if t, ok := arabic[r]; ok {
			// The article ال is written joined to its word: split it off
			// so that it is dropped like "al-" in Latin spellings.
			if (r == 'ا' || r == 'أ') && i+2 < len(rs) && rs[i+1] == 'ل' && (i == 0 || !unicode.Is(unicode.Arabic, rs[i-1])) && unicode.Is(unicode.Arabic, rs[i+2]) {
				b.WriteString("al ")
				i++
				changed = true
				continue
			}
			b.WriteString(t)
			changed = true
		} else if t, ok := greek[lr]; ok {
			b.WriteString(t)
			changed = true
		} else if t, ok := latinSpecial[lr]; ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String(), changed
}

// hanRun converts one run of Hanzi to pinyin words.
func hanRun(run string) string {
	for _, suf := range hanSuffixes {
		if strings.HasSuffix(run, suf) && len(run) > len(suf) {
			run = strings.TrimSuffix(run, suf)
			break
		}
	}
	var syl []string
	for _, r := range run {
		if p := hanzi.Pinyin(r); p != "" {
			syl = append(syl, p)
		}
	}
	var words []string
	for i := 0; i < len(syl); i += 2 {
		if i+1 < len(syl) {
			words = append(words, syl[i]+syl[i+1])
		} else {
			words = append(words, syl[i])
		}
	}
	return strings.Join(words, " ")
}
