package screen

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// legalForms are corporate-suffix and legal-form words in many languages
// (after single-letter abbreviations are joined, so "S.A." is "sa"). They
// are removed wherever they occur, unless that would leave nothing.
var legalForms = setOf(
	// English
	"ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "co", "company", "plc", "llp", "lp",
	"pte", "pvt", "pty", "private", "public", "jsc", "ojsc", "cjsc", "pjsc", "psc", "fze", "fzco", "fzc", "fz", "est", "establishment",
	// German, Dutch, Nordic, Central European
	"gmbh", "ag", "aktiengesellschaft", "gesellschaft", "kg", "ohg", "ug", "mbh", "bv", "nv", "vof", "oy", "oyj", "ab", "as", "asa", "aps", "kft", "zrt", "nyrt", "sro", "spol",
	"doo", "dd", "ad", "ead", "eood", "sp", "zoo", "spzoo", "se",
	// Romance
	"sa", "sas", "sarl", "srl", "spa", "sl", "slu", "sau", "lda", "ltda", "sociedad", "anonima", "societe", "anonyme", "sociedade",
	"cv", "sapi", "de", "rl", "scs", "snc", "eirl", "eurl",
	// Russian / Ukrainian (romanised)
	"ooo", "oao", "zao", "pao", "ao", "tov", "pat", "prat", "fgup", "gup", "mup",
	"obshchestvo", "ogranichennoy", "otvetstvennostyu", "aktsionernoe", "aktsionernoye", "publichnoe", "otkrytoe", "zakrytoe",
	"tovarystvo", "obmezhenoyu", "vidpovidalnistyu",
	// Asian
	"kk", "kabushiki", "kaisha", "yk", "yugen", "youxian", "gongsi", "gufen", "zeren", "bhd", "sdn", "tbk", "pt", "cv", "jsc",
	"joint", "stock", "liability", "holding", "holdings", "group", "jituan",
)

// synonyms map variant spellings, abbreviations and the pinyin of common
// Chinese business words to one canonical English token, so that
// "Huawei Technologies", "Huawei Tech" and 华为技术 compare equal.
var synonyms = map[string]string{
	"technologies": "technology", "tech": "technology", "technical": "technology", "jishu": "technology", "keji": "technology",
	"intl": "international", "internacional": "international", "international": "international", "guoji": "international",
	"electronic": "electronics", "dianzi": "electronics", "elektronika": "electronics",
	"communications": "communication", "telecommunications": "telecommunication", "telecom": "telecommunication", "tongxin": "communication",
	"zhongguo": "china", "shuzi": "digital", "yinhang": "bank", "banco": "bank", "banque": "bank",
	"maoyi": "trading", "trade": "trading", "gongye": "industry", "industries": "industry", "industrial": "industry",
	"ruanjian": "software", "xinxi": "information", "wangluo": "network", "networks": "network", "systems": "system",
	"xitong": "system", "shebei": "equipment", "hangkong": "aviation", "hangtian": "aerospace", "daxue": "university",
	"univ": "university", "konggu": "holding", "kexue": "science", "sciences": "science", "yanjiu": "research",
	"dept": "department", "mfg": "manufacturing", "zhizao": "manufacturing", "svc": "services", "service": "services",
	"intern": "international", "natl": "national", "assn": "association", "inst": "institute",
}

// longLegalForms are the legal forms long enough that a one-letter typo
// in them ("Compeny", "Limted") is still recognised.
var longLegalForms = []string{"company", "limited", "corporation", "incorporated", "liability", "holding", "holdings",
	"aktsionernoe", "obshchestvo", "gesellschaft", "aktiengesellschaft", "sociedad", "societe", "anonima", "anonyme", "kabushiki"}

// nearLegalForm reports whether w is one edit away from a long legal form.
func nearLegalForm(w string) bool {
	if len(w) < 6 {
		return false
	}
	for _, f := range longLegalForms {
		if d := len(w) - len(f); d >= -1 && d <= 1 && (w[0] == f[0] || w[1] == f[1]) && levenshteinRatio(w, f) >= 1-1.0/float64(max(len(w), len(f)))-1e-9 {
			return true
		}
	}
	return false
}

// stopwords carry no identifying weight.
var stopwords = setOf("the", "of", "and", "for", "a", "an", "del", "la", "le", "les", "los", "las", "das", "der", "die", "und",
	"et", "y", "e", "al", "el", "ul", "bin", "ibn", "bint", "van", "von", "du", "des", "da", "do", "dos", "di", "in", "on")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Normalized is a name prepared for comparison.
type Normalized struct {
	// Tokens are the identifying words, lower case ASCII where the script
	// could be transliterated, in their original order.
	Tokens []string `json:"tokens"`
	// Keys are the tokens folded for comparison (see fold), one per
	// token.
	Keys []string `json:"-"`
	// Removed lists legal forms and stopwords that were dropped.
	Removed []string `json:"removed,omitempty"`
	// Transliterated is true when a non-Latin script was transliterated.
	Transliterated bool `json:"transliterated,omitempty"`
	// Arabic is true when the name was written in Arabic script, whose
	// short vowels are not written: tokens are then compared by their
	// consonant skeletons.
	Arabic bool `json:"arabic,omitempty"`
}

// Compact is the folded tokens joined without spaces (for spacing
// differences such as "Hua Wei" / "Huawei").
func (n Normalized) Compact() string { return strings.Join(n.Keys, "") }

// String is the tokens joined by spaces.
func (n Normalized) String() string { return strings.Join(n.Tokens, " ") }

var stripMarks = runes.Remove(runes.In(unicode.Mn))

// Normalize prepares a name: transliteration (Hanzi to pinyin, Cyrillic,
// Greek, Arabic), Unicode decomposition with accents removed, case
// folding, punctuation to spaces ("&" to "and", apostrophes dropped),
// single-letter abbreviations joined ("S. A." to "sa"), then legal forms
// and stopwords removed (kept if nothing else would remain).
func Normalize(name string) Normalized {
	var n Normalized
	s, tr := transliterate(name)
	n.Transliterated = tr
	n.Arabic = tr && strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Arabic, r) })
	if !isASCII(s) {
		if out, _, err := transform.String(transform.Chain(norm.NFKD, stripMarks, norm.NFC), s); err == nil {
			s = out
		}
		s, _ = transliterate(s) // letters such as ø only appear after decomposition
	}
	raw := splitWords(strings.ToLower(s))
	raw = joinInitials(raw)
	for i, w := range raw {
		if c, ok := synonyms[w]; ok {
			raw[i] = c
		}
	}
	for _, w := range raw {
		if legalForms[w] || stopwords[w] || nearLegalForm(w) {
			n.Removed = append(n.Removed, w)
			continue
		}
		n.Tokens = append(n.Tokens, w)
	}
	if len(n.Tokens) == 0 {
		n.Tokens, n.Removed = raw, nil
	}
	n.Keys = make([]string, len(n.Tokens))
	for i, t := range n.Tokens {
		n.Keys[i] = fold(t)
	}
	return n
}

// folder merges spellings that romanisation systems disagree on
// (kh/h, dzh/j, ph/f, w/v, y/i, c/k, ks/x, ou/u, ...).
var folder = strings.NewReplacer(
	"dzh", "j", "shch", "sh", "sch", "sh", "tch", "ch", "kh", "h", "ph", "f", "ck", "k", "ks", "x", "cz", "ch",
	"ch", "ch", "c", "k", "w", "v", "q", "k", "y", "i", "ou", "u",
)

// fold returns the comparison key of a token: romanisation variants
// merged and doubled letters collapsed.
func fold(t string) string {
	t = folder.Replace(t)
	if len(t) < 2 {
		return t
	}
	b := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		if i > 0 && t[i] == t[i-1] && t[i] < 0x80 && (t[i] < '0' || t[i] > '9') {
			continue
		}
		b = append(b, t[i])
	}
	return string(b)
}

// splitWords splits on anything but letters and digits; apostrophes are
// dropped inside words and "&" becomes "and".
func splitWords(s string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
		case r == '&':
			flush()
			words = append(words, "and")
		default:
			flush()
		}
	}
	flush()
	return words
}

// joinInitials joins runs of single-letter words ("s a" -> "sa",
// "l l c" -> "llc").
func joinInitials(ws []string) []string {
	out := ws[:0:0]
	for i := 0; i < len(ws); {
		if len([]rune(ws[i])) != 1 {
			out = append(out, ws[i])
			i++
			continue
		}
		j := i
		var b strings.Builder
		for j < len(ws) && len([]rune(ws[j])) == 1 {
			b.WriteString(ws[j])
			j++
		}
		out = append(out, b.String())
		i = j
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// skeleton drops the vowels (and the semivowels i, u, v, which Arabic
// writes as long vowels, and y): "mohamed" and "mhmd" both become "mhmd",
// "abd" and "bd" both "bd".
func skeleton(t string) string {
	b := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case 'a', 'e', 'i', 'o', 'u', 'v', 'y':
		default:
			b = append(b, t[i])
		}
	}
	return string(b)
}
