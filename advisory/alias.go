package advisory

import (
	"sort"
	"strings"
)

// Grouper joins advisory IDs that name the same vulnerability (an ID and
// its aliases, transitively) into alias groups. The zero value is ready to
// use.
type Grouper struct {
	parent map[string]string
}

// Add records that ids all name one vulnerability.
func (g *Grouper) Add(ids ...string) {
	if g.parent == nil {
		g.parent = make(map[string]string)
	}
	for _, id := range ids {
		if _, ok := g.parent[id]; !ok {
			g.parent[id] = id
		}
	}
	for _, id := range ids[1:] {
		g.union(ids[0], id)
	}
}

func (g *Grouper) find(id string) string {
	for g.parent[id] != id {
		g.parent[id] = g.parent[g.parent[id]]
		id = g.parent[id]
	}
	return id
}

func (g *Grouper) union(a, b string) {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return
	}
	if groupKeyLess(rb, ra) {
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
}

// Groups returns every ID mapped to its group's key: the lowest CVE ID in
// the group when it has one, else its lowest ID.
func (g *Grouper) Groups() map[string]string {
	out := make(map[string]string, len(g.parent))
	for id := range g.parent {
		out[id] = g.find(id)
	}
	return out
}

// groupKeyLess orders candidate group keys: CVE IDs first, then by
// string.
func groupKeyLess(a, b string) bool {
	ca, cb := strings.HasPrefix(a, "CVE-"), strings.HasPrefix(b, "CVE-")
	if ca != cb {
		return ca
	}
	return a < b
}

// SortIDs orders IDs for display: CVE first, then the rest by string.
func SortIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool { return groupKeyLess(ids[i], ids[j]) })
}
