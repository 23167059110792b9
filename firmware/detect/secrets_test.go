package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/GehirnInc/crypt/sha512_crypt"
)

// TestSecretWindows checks that the keyword windows keep what scanning a
// whole text file finds, with the right line numbers: secrets far apart,
// near the start and end, and one whose assignment spans lines.
func TestSecretWindows(t *testing.T) {
	filler := func(n int) string { return strings.Repeat("padding line of plain text\n", n) }
	tests := []struct {
		name string
		body string
		want []string // evidence prefixes, in order
	}{
		{"first line", "GITHUB_TOKEN=ghp_R4nd0mT0kenV4lue0123456789abcdefABCD\n" + filler(50),
			[]string{"line 1: GITHUB_TOKEN="}},
		{"far apart", filler(600) + "GITHUB_TOKEN=ghp_R4nd0mT0kenV4lue0123456789abcdefABCD\n" + filler(300) +
			"slack_webhook = \"https://hooks.slack.com/services/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\"\n",
			[]string{"line 601: GITHUB_TOKEN=", "line 902: slack_webhook"}},
		{"last line, no newline", filler(40) + "aws_key=AKIAZ7VRSQ5TKD3MNE4P",
			[]string{"line 41: aws_key="}},
		{"value on the next line", filler(20) + "api_token =\n  \"Zq4T9mW2xK7pL3vN8rB5cJ1h\"\n",
			[]string{"line 21: api_token"}},
		{"no keyword", filler(100), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := detectImage(t, tarImage(t, []tf{{name: "etc", dir: true}, {name: "etc/app.conf", body: tt.body}}))
			var got []string
			for _, p := range probs {
				if p.Category == CategoryAPISecret {
					got = strings.Split(p.Evidence, "; ")
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("evidence %q, want %d item(s) %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("evidence[%d] = %q, want prefix %q", i, got[i], w)
				}
			}
		})
	}
}

// TestMergeSpans checks the joining of keyword windows.
func TestMergeSpans(t *testing.T) {
	tests := []struct{ in, want [][2]int }{
		{nil, nil},
		{[][2]int{{0, 5}}, [][2]int{{0, 5}}},
		{[][2]int{{0, 5}, {3, 9}}, [][2]int{{0, 9}}},
		{[][2]int{{0, 5}, {6, 9}}, [][2]int{{0, 9}}},
		{[][2]int{{0, 5}, {7, 9}, {8, 12}}, [][2]int{{0, 5}, {7, 12}}},
	}
	for _, tt := range tests {
		if got := mergeSpans(tt.in); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("mergeSpans(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestCrackerBudget checks that the wordlist checks stop when the image's
// budget is spent, that results are remembered, and the cost estimates.
func TestCrackerBudget(t *testing.T) {
	h, err := sha512_crypt.New().Generate([]byte("xc3511"), []byte("$6$9xPq2Lm0aZ"))
	if err != nil {
		t.Fatal(err)
	}
	var c cracker
	if pw, ok, tried := c.crack(h, "root"); !ok || !tried || pw != "xc3511" {
		t.Fatalf("crack = %q %v %v", pw, ok, tried)
	}
	spent := c.spent
	if want := int64(5000 * (len(wordlist()) + 1)); spent != want {
		t.Errorf("spent %d, want %d", spent, want)
	}
	if _, ok, _ := c.crack(h, "root"); !ok || c.spent != spent {
		t.Errorf("repeated hash checked again: spent %d", c.spent)
	}
	c.spent = maxCrackWork - 1
	if _, ok, tried := c.crack(h, "admin"); ok || tried {
		t.Errorf("over budget: ok %v tried %v", ok, tried)
	}
	for _, tt := range []struct {
		h    string
		want int64
	}{
		{"$6$rounds=100000$salt$x", 100000},
		{"$5$salt$x", 5000},
		{"$1$salt$x", 300},
		{"$2a$10$abcdefghijklmnopqrstuu5Zq4T9mW2xK7pL3vN8rB5cJ1hZq4T9m", 60 << 10},
		{"aaqPiZY5xR5l.", 12},
		{"$y$j9T$x", 1},
	} {
		if got := crackCost(tt.h); got != tt.want {
			t.Errorf("crackCost(%s) = %d, want %d", tt.h, got, tt.want)
		}
	}
}
