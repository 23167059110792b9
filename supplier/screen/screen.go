// Package screen matches names against restricted-party lists: it
// normalises and transliterates names, finds candidates through a
// character-trigram index, scores them with token-based Jaro-Winkler
// (IDF-weighted, with length and first-letter penalties), matches
// identifiers exactly, takes the country as supporting evidence and
// explains every score.
package screen

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/assayhq/assay/supplier/lists"
)

// Schema is the JSON schema name of a screening result.
const Schema = "assay.screen/v1"

// Default thresholds and limits.
const (
	DefaultAlert         = 0.90
	DefaultReview        = 0.80
	DefaultMaxMatches    = 10
	DefaultMaxQueryBytes = 1024
	// DefaultCandidates is how many trigram candidates are fully scored.
	DefaultCandidates = 40
	// countryBoost is added when the query country is among the entry's
	// countries; it is supporting evidence only and never decisive.
	countryBoost = 0.03
)

// Options configures a Screener. Zero values mean the defaults.
type Options struct {
	// Alert is the score at or above which a match is an alert.
	Alert float64
	// Review is the score at or above which a match is reported for
	// review; below it nothing is reported.
	Review float64
	// MaxMatches bounds the matches returned per query.
	MaxMatches int
	// MaxQueryBytes bounds the length of a query name.
	MaxQueryBytes int
	// Candidates is how many trigram candidates are fully scored.
	Candidates int
}

func (o Options) withDefaults() Options {
	if o.Alert <= 0 {
		o.Alert = DefaultAlert
	}
	if o.Review <= 0 {
		o.Review = DefaultReview
	}
	if o.MaxMatches <= 0 {
		o.MaxMatches = DefaultMaxMatches
	}
	if o.MaxQueryBytes <= 0 {
		o.MaxQueryBytes = DefaultMaxQueryBytes
	}
	if o.Candidates <= 0 {
		o.Candidates = DefaultCandidates
	}
	return o
}

// Query is one name to screen.
type Query struct {
	Name string `json:"query"`
	// Country is an ISO 3166-1 alpha-2 code or country name (optional).
	Country string `json:"country,omitempty"`
	// Identifiers are registration, tax or LEI numbers (optional),
	// matched exactly after removing spaces and punctuation.
	Identifiers []string `json:"identifiers,omitempty"`
}

// Result is the outcome of screening one query.
type Result struct {
	Schema string `json:"schema"`
	Query  string `json:"query"`
	// Country is the resolved ISO code of the query country, if any.
	Country    string `json:"country,omitempty"`
	Normalized string `json:"normalized"`
	// Decision is "alert", "review" or "clear" (nothing reached the
	// review threshold).
	Decision string  `json:"decision"`
	Matches  []Match `json:"matches"`
}

// Match is one list entry that reached the review threshold.
type Match struct {
	// Name is the entry's name or alias that matched.
	Name string `json:"name"`
	// EntryName is the entry's primary name.
	EntryName string `json:"entry_name"`
	List      string `json:"list"`
	ListTitle string `json:"list_title,omitempty"`
	// ListDate is the date of the list data the match comes from.
	ListDate  string   `json:"list_date,omitempty"`
	EntryID   string   `json:"entry_id"`
	Key       string   `json:"key,omitempty"`
	Type      string   `json:"type"`
	Programs  []string `json:"programs,omitempty"`
	Countries []string `json:"countries,omitempty"`
	Score     float64  `json:"score"`
	// Level is "alert" or "review".
	Level     string    `json:"level"`
	Breakdown Breakdown `json:"breakdown"`
}

// Breakdown explains a score.
type Breakdown struct {
	// Method is "name", "alias" or "identifier".
	Method  string `json:"method"`
	Query   string `json:"query_normalized"`
	Matched string `json:"matched_normalized"`
	// Tokens pairs query tokens with the list tokens they matched.
	Tokens []TokenMatch `json:"tokens,omitempty"`
	// TokenScore is the weighted token similarity; CompactScore the
	// spacing-insensitive similarity of the joined tokens. NameScore is
	// the larger.
	TokenScore   float64 `json:"token_score"`
	CompactScore float64 `json:"compact_score"`
	NameScore    float64 `json:"name_score"`
	// Removed are the legal forms and stopwords dropped from both names.
	Removed        []string `json:"removed,omitempty"`
	Transliterated bool     `json:"transliterated,omitempty"`
	// Country is "match", "mismatch" or "unknown"; CountryAdjustment is
	// what it added to the score.
	Country           string  `json:"country"`
	CountryAdjustment float64 `json:"country_adjustment"`
	Identifier        string  `json:"identifier,omitempty"`
}

// TokenMatch is one token pairing.
type TokenMatch struct {
	Query      string  `json:"query"`
	Matched    string  `json:"matched,omitempty"`
	Similarity float64 `json:"similarity"`
	Weight     float64 `json:"weight"`
	// Penalty names the penalties applied ("first-letter", "length").
	Penalty string `json:"penalty,omitempty"`
}

// indexedName is one name or alias of one entry.
type indexedName struct {
	entry   int32
	alias   bool
	text    string
	norm    Normalized
	weights []float64
	compact string
	ngrams  int
	// total is the sum of weights.
	total float64
}

// Screener screens names against a fixed set of list entries. It is safe
// for concurrent use.
type Screener struct {
	opt      Options
	stamp    string
	entries  []lists.Entry
	listInfo map[string]*lists.ListState
	names    []indexedName
	grams    map[uint64][]int32
	// tokens maps a folded token to the names holding it (each name once,
	// so the length of a posting list is the token's document frequency).
	tokens map[string][]int32
	ids    map[string][]int32
	maxIDF float64
	pool   sync.Pool
	// skel maps token skeletons to names, built on the first query in
	// Arabic script.
	skelOnce sync.Once
	skel     map[string][]int32
}

// newScreener returns a Screener over the name-screenable entries of snap
// with an empty index.
func newScreener(snap *lists.Snapshot, opt Options) *Screener {
	s := &Screener{opt: opt.withDefaults(), stamp: SnapshotStamp(snap), listInfo: snap.Lists}
	for _, e := range snap.All() {
		if e.Type != lists.TypeCategory {
			s.entries = append(s.entries, e)
		}
	}
	return s
}

// New builds a Screener over every name-screenable entry of snap.
func New(snap *lists.Snapshot, opt Options) *Screener {
	s := newScreener(snap, opt)
	s.grams, s.tokens, s.ids = map[uint64][]int32{}, map[string][]int32{}, map[string][]int32{}
	for i, e := range s.entries {
		s.addName(int32(i), e.Name, false)
		for _, a := range e.Aliases {
			s.addName(int32(i), a, true)
		}
		for _, id := range e.Identifiers {
			if k := identifierKey(id.Number); len(k) >= 5 {
				s.ids[k] = append(s.ids[k], int32(i))
			}
		}
	}
	s.finish()
	return s
}

func (s *Screener) addName(entry int32, text string, alias bool) {
	nm := Normalize(text)
	if len(nm.Tokens) == 0 {
		return
	}
	idx := int32(len(s.names))
	seen := map[string]bool{}
	for _, t := range nm.Keys {
		if !seen[t] {
			s.tokens[t] = append(s.tokens[t], idx)
			seen[t] = true
		}
	}
	gs := tokenGrams(nm.Keys)
	for _, g := range gs {
		s.grams[g] = append(s.grams[g], idx)
	}
	s.names = append(s.names, indexedName{entry: entry, alias: alias, text: text, norm: nm, compact: nm.Compact(), ngrams: len(gs)})
}

// idf is the inverse document frequency weight of a token, at least 0.5.
func (s *Screener) idf(t string) float64 {
	df := len(s.tokens[t])
	if df == 0 {
		return s.maxIDF
	}
	return math.Max(0.5, math.Log(float64(len(s.names)+1)/float64(df)))
}

// Entries returns how many entries are indexed.
func (s *Screener) Entries() int { return len(s.entries) }

// Names returns how many names and aliases are indexed.
func (s *Screener) Names() int { return len(s.names) }

// tokenGrams returns the distinct padded character trigrams of tokens.
func tokenGrams(tokens []string) []uint64 {
	var out []uint64
	for _, t := range tokens {
		rs := []rune("^" + t + "$")
		if len(rs) < 3 {
			continue
		}
		for i := 0; i+3 <= len(rs); i++ {
			out = append(out, uint64(rs[i])<<42|uint64(rs[i+1])<<21|uint64(rs[i+2]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// identifierKey normalises an identifier: letters and digits only, upper
// case.
func identifierKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

type scratch struct {
	counts  []uint16
	sums    []float32
	touched []int32
}

type candidate struct {
	name int32
	dice float64
}

// Screen screens one query.
func (s *Screener) Screen(q Query) (*Result, error) {
	if len(q.Name) > s.opt.MaxQueryBytes {
		return nil, fmt.Errorf("screen: query longer than %d bytes", s.opt.MaxQueryBytes)
	}
	res := &Result{Schema: Schema, Query: q.Name, Country: lists.CountryCode(q.Country), Matches: []Match{}}
	qn := Normalize(q.Name)
	res.Normalized = qn.String()
	best := map[int32]Match{}
	if len(qn.Tokens) > 0 {
		qc := qn.Compact()
		from := map[int32]int32{} // entry -> name index of its best match
		for _, c := range s.candidates(qn) {
			m, ok := s.score(qn, qc, c.name, res.Country)
			if !ok || m.Score < s.opt.Review {
				continue
			}
			// Of equal scores the first-indexed name wins, whatever order
			// the candidates came in.
			ei := s.names[c.name].entry
			if prev, seen := best[ei]; !seen || m.Score > prev.Score || (m.Score == prev.Score && c.name < from[ei]) {
				best[ei], from[ei] = m, c.name
			}
		}
	}
	ids := q.Identifiers
	if k := identifierKey(q.Name); len(k) >= 6 && hasDigits(k, 4) {
		ids = append(ids, q.Name)
	}
	for _, id := range ids {
		for _, ei := range s.ids[identifierKey(id)] {
			best[ei] = s.identifierMatch(ei, id, res.Country)
		}
	}
	seen := map[string]bool{}
	// Visit entries in index order so that, of two entries with the same
	// list and ID, the same one is reported every time.
	for _, ei := range slices.Sorted(maps.Keys(best)) {
		m := best[ei]
		if k := m.List + "\x00" + m.EntryID; !seen[k] {
			seen[k] = true
			res.Matches = append(res.Matches, m)
		}
	}
	slices.SortFunc(res.Matches, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.List, b.List); c != 0 {
			return c
		}
		return cmp.Compare(a.EntryID, b.EntryID)
	})
	if len(res.Matches) > s.opt.MaxMatches {
		res.Matches = res.Matches[:s.opt.MaxMatches]
	}
	res.Decision = "clear"
	if len(res.Matches) > 0 {
		res.Decision = res.Matches[0].Level
	}
	return res, nil
}

func hasDigits(s string, n int) bool {
	c := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			c++
		}
	}
	return c >= n
}

// candidates returns the names to score fully: the best by Dice
// coefficient over distinct rare trigrams (fuzzy spelling), merged with
// the best by summed IDF of exactly shared tokens (so that a typo in one
// word is still found through the others).
func (s *Screener) candidates(q Normalized) []candidate {
	k := s.opt.Candidates
	byGram := s.gramCandidates(q, k)
	byToken := s.tokenCandidates(q, k/2)
	if q.Arabic {
		byToken = append(byToken, s.skeletonCandidates(q, k/2)...)
	}
	for _, c := range byToken {
		if !slices.ContainsFunc(byGram, func(o candidate) bool { return o.name == c.name }) {
			byGram = append(byGram, c)
		}
	}
	return byGram
}

// skeletonCandidates ranks names by the share of token consonant
// skeletons they have in common with an Arabic-script query.
func (s *Screener) skeletonCandidates(q Normalized, k int) []candidate {
	s.skelOnce.Do(func() {
		s.skel = map[string][]int32{}
		for i := range s.names {
			for _, t := range s.names[i].norm.Keys {
				if sk := skeleton(t); len(sk) >= 2 {
					s.skel[sk] = append(s.skel[sk], int32(i))
				}
			}
		}
	})
	limit := max(1000, len(s.names)/20)
	count := map[int32]int{}
	for _, t := range q.Keys {
		post := s.skel[skeleton(t)]
		if len(post) > limit {
			continue
		}
		for _, n := range post {
			count[n]++
		}
	}
	top := topK{k: k}
	for n, c := range count {
		top.add(candidate{name: n, dice: 2 * float64(c) / float64(len(q.Keys)+len(s.names[n].norm.Keys))})
	}
	return top.top
}

// topK keeps the k best candidates in descending order.
type topK struct {
	k   int
	top []candidate
}

func (t *topK) add(c candidate) {
	// Descending dice, then ascending name index: a total order, so the
	// result does not depend on the order candidates are added in.
	order := func(o, c candidate) int {
		if r := cmp.Compare(c.dice, o.dice); r != 0 {
			return r
		}
		return cmp.Compare(o.name, c.name)
	}
	if len(t.top) == t.k && order(t.top[t.k-1], c) <= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(t.top, c, order)
	t.top = slices.Insert(t.top, i, c)
	if len(t.top) > t.k {
		t.top = t.top[:t.k]
	}
}

func (s *Screener) gramCandidates(q Normalized, k int) []candidate {
	qg := tokenGrams(q.Keys)
	if len(qg) == 0 {
		return nil
	}
	// Trigrams shared by many names ("^co", "ion") cost the most and
	// discriminate the least: use the rare ones, or at least the rarest
	// third of the query's trigrams.
	slices.SortFunc(qg, func(a, b uint64) int {
		if c := cmp.Compare(len(s.grams[a]), len(s.grams[b])); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // a total order: the kept trigrams must not vary between runs
	})
	limit := max(300, len(s.names)/200)
	keep := 0
	for keep < len(qg) && len(s.grams[qg[keep]]) <= limit {
		keep++
	}
	qg = qg[:min(len(qg), max(keep, 3, len(qg)/3))]
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	for _, g := range qg {
		for _, n := range s.grams[g] {
			if sc.counts[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.counts[n]++
		}
	}
	top := topK{k: k}
	for _, n := range sc.touched {
		d := 2 * float64(sc.counts[n]) / float64(len(qg)+s.names[n].ngrams)
		sc.counts[n] = 0
		if d >= 0.1 {
			top.add(candidate{name: n, dice: d})
		}
	}
	sc.touched = sc.touched[:0]
	return top.top
}

func (s *Screener) tokenCandidates(q Normalized, k int) []candidate {
	limit := max(1000, len(s.names)/20)
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	qw := 0.0
	for _, t := range q.Keys {
		w := s.idf(t)
		qw += w
		post := s.tokens[t]
		if len(post) > limit {
			continue
		}
		for _, n := range post {
			if sc.sums[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.sums[n] += float32(w)
		}
	}
	top := topK{k: k}
	for _, n := range sc.touched {
		top.add(candidate{name: n, dice: 2 * float64(sc.sums[n]) / (qw + s.names[n].total)})
		sc.sums[n] = 0
	}
	sc.touched = sc.touched[:0]
	return top.top
}

// tokenSim compares two tokens: Jaro-Winkler, times 0.9 when the first
// letters differ and times (1 - 0.5·length difference/longer length);
// tokens of three characters or fewer must be equal.
func tokenSim(a, b string) (float64, string) {
	if a == b {
		return 1, ""
	}
	if len(a) <= 3 || len(b) <= 3 {
		return 0, ""
	}
	if d := abs(len(a) - len(b)); 5*d > 2*max(len(a), len(b)) {
		return 0, "" // the length penalty alone keeps it below minTokenSim
	}
	sim := jaroWinkler(a, b)
	var pen []string
	if a[0] != b[0] {
		sim *= 0.9
		pen = append(pen, "first-letter")
	}
	if d := abs(len(a) - len(b)); d > 0 {
		sim *= 1 - 0.5*float64(d)/float64(max(len(a), len(b)))
		pen = append(pen, "length")
	}
	return sim, strings.Join(pen, ",")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// minTokenSim is the similarity below which two tokens do not pair.
const minTokenSim = 0.80

// pairing is one query token paired with one name token.
type pairing struct {
	qi, ni int
	sim    float64
	pen    string
}

// assign pairs query and name tokens greedily by descending similarity
// (each token used once) and returns the pairs and the weighted token
// score: Σ sim·2w over pairs / (Σ query weights + Σ name weights), where
// a paired query token takes its list token's weight and an unpaired one
// its own IDF.
func (s *Screener) assign(q Normalized, nm *indexedName) ([]pairing, float64) {
	var buf [16]pairing
	pairs := buf[:0]
	for i, qt := range q.Keys {
		for j, nt := range nm.norm.Keys {
			sim, pen := tokenSim(qt, nt)
			if q.Arabic && sim < minTokenSim {
				if sk := skeleton(qt); len(sk) >= 2 && sk == skeleton(nt) {
					sim, pen = 0.85, "arabic-skeleton"
				}
			}
			if sim >= minTokenSim {
				pairs = append(pairs, pairing{i, j, sim, pen})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pairing) int { return cmp.Compare(b.sim, a.sim) })
	var usedQ, usedN uint64
	var out []pairing
	num, den := 0.0, 0.0
	for _, p := range pairs {
		if p.qi >= 64 || p.ni >= 64 || usedQ&(1<<p.qi) != 0 || usedN&(1<<p.ni) != 0 {
			continue
		}
		usedQ |= 1 << p.qi
		usedN |= 1 << p.ni
		w := nm.weights[p.ni]
		num += p.sim * 2 * w
		den += 2 * w
		out = append(out, p)
	}
	for i, qt := range q.Keys {
		if i >= 64 || usedQ&(1<<i) == 0 {
			den += s.idf(qt)
		}
	}
	for j := range nm.norm.Keys {
		if j >= 64 || usedN&(1<<j) == 0 {
			den += nm.weights[j]
		}
	}
	if den == 0 {
		return out, 0
	}
	return out, num / den
}

// score compares the query with one indexed name; ok is false when the
// score stays below the review threshold.
func (s *Screener) score(q Normalized, qc string, ni int32, country string) (Match, bool) {
	nm := &s.names[ni]
	pairs, tokenScore := s.assign(q, nm)
	compact := 0.0
	if len(q.Tokens) != len(nm.norm.Tokens) && tokenScore < s.opt.Alert {
		// The ratio cannot reach the review threshold when the lengths
		// alone differ by more than the allowed edits.
		if d, m := abs(len(qc)-len(nm.compact)), max(len(qc), len(nm.compact)); float64(d) <= (1-s.opt.Review)*float64(m) {
			compact = levenshteinRatio(qc, nm.compact)
		}
	}
	e := &s.entries[nm.entry]
	if max(tokenScore, compact)+countryBoost < s.opt.Review {
		return Match{}, false
	}
	bd := Breakdown{Method: "name", Query: q.String(), Matched: nm.norm.String(),
		TokenScore: round(tokenScore), CompactScore: round(compact), NameScore: round(max(tokenScore, compact)),
		Removed: append(slices.Clone(q.Removed), nm.norm.Removed...), Transliterated: q.Transliterated || nm.norm.Transliterated}
	if nm.alias {
		bd.Method = "alias"
	}
	pairedQ, pairedN := map[int]bool{}, map[int]bool{}
	for _, p := range pairs {
		pairedQ[p.qi], pairedN[p.ni] = true, true
		bd.Tokens = append(bd.Tokens, TokenMatch{Query: q.Tokens[p.qi], Matched: nm.norm.Tokens[p.ni], Similarity: round(p.sim), Weight: round(nm.weights[p.ni]), Penalty: p.pen})
	}
	for i, qt := range q.Tokens {
		if !pairedQ[i] {
			bd.Tokens = append(bd.Tokens, TokenMatch{Query: qt, Weight: round(s.idf(q.Keys[i]))})
		}
	}
	for j, nt := range nm.norm.Tokens {
		if !pairedN[j] {
			bd.Tokens = append(bd.Tokens, TokenMatch{Matched: nt, Weight: round(nm.weights[j])})
		}
	}
	score := s.applyCountry(&bd, max(tokenScore, compact), country, e)
	return s.match(nm.entry, nm.text, score, bd), true
}

// applyCountry adds the country evidence to score.
func (s *Screener) applyCountry(bd *Breakdown, score float64, country string, e *lists.Entry) float64 {
	bd.Country = "unknown"
	if country == "" || len(e.Countries) == 0 {
		return score
	}
	if slices.Contains(e.Countries, country) {
		bd.Country, bd.CountryAdjustment = "match", countryBoost
		return math.Min(1, score+countryBoost)
	}
	bd.Country = "mismatch"
	return score
}

func (s *Screener) identifierMatch(ei int32, id, country string) Match {
	e := &s.entries[ei]
	bd := Breakdown{Method: "identifier", Identifier: id, Query: identifierKey(id), Matched: identifierKey(id), NameScore: 1}
	s.applyCountry(&bd, 1, country, e)
	return s.match(ei, e.Name, 1, bd)
}

func (s *Screener) match(ei int32, text string, score float64, bd Breakdown) Match {
	e := &s.entries[ei]
	m := Match{Name: text, EntryName: e.Name, List: e.List, EntryID: e.ID, Key: e.Key, Type: e.Type, Programs: e.Programs,
		Countries: e.Countries, Score: round(score), Level: "review", Breakdown: bd}
	if st := s.listInfo[e.List]; st != nil {
		m.ListTitle, m.ListDate = st.Title, st.Date
	}
	if m.Score >= s.opt.Alert {
		m.Level = "alert"
	}
	return m
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }
