package version

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

func TestKnownOrderings(t *testing.T) {
	tests := []struct {
		eco string
		asc []string // strictly increasing
	}{
		{"Go", []string{"v0.0.0-20200101000000-abcdefabcdef", "v0.1.0", "v1.2.3-rc.1", "1.2.3", "v1.10.0"}},
		{"npm", []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0", "1.0.1", "2.0.0"}},
		{"PyPI", []string{"1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1"}},
		{"Maven", []string{"1.0-alpha-1", "1.0-SNAPSHOT", "1.0", "1.0.1", "1.1"}},
		{"NuGet", []string{"1.0.0-beta", "1.0.0", "1.0.1", "1.10.0"}},
		{"RubyGems", []string{"1.0.0.pre", "1.0.0", "1.0.1", "1.1"}},
		{"Packagist", []string{"1.0.0-beta", "1.0.0", "1.0.1", "2.0"}},
		{"crates.io", []string{"0.9.0", "1.0.0-rc.1", "1.0.0", "1.0.10"}},
		{"Debian:12", []string{"1.0~rc1-1", "1.0-1", "1.0-1+deb12u1", "1:0.1-1"}},
		{"Alpine:v3.18", []string{"1.0-r0", "1.0-r10", "1.0.1-r0"}},
		{"AlmaLinux:9", []string{"1.0-1.el9", "1.0-2.el9", "1:0.5-1.el9"}},
		{"CRAN", []string{"1.0-1", "1.0-2", "1.1-0"}},
		{"Hackage", []string{"0.1", "0.1.0.1", "0.2"}},
	}
	for _, tt := range tests {
		for i := 0; i+1 < len(tt.asc); i++ {
			a, _, err := Parse(tt.eco, tt.asc[i])
			if err != nil {
				t.Fatalf("%s %s: %v", tt.eco, tt.asc[i], err)
			}
			if c, err := a.Compare(tt.asc[i+1]); err != nil || c >= 0 {
				t.Errorf("%s: %s vs %s = %d %v, want < 0", tt.eco, tt.asc[i], tt.asc[i+1], c, err)
			}
		}
	}
}

func TestGeneric(t *testing.T) {
	for _, p := range [][2]string{{"1.0.2k", "1.0.2l"}, {"1.0.2l", "1.1.0"}, {"2020.81", "2022.82"}, {"1.35.0", "1.36.1"}} {
		if c, err := Generic(p[0]).Compare(p[1]); err != nil || c >= 0 {
			t.Errorf("Generic %s vs %s = %d %v", p[0], p[1], c, err)
		}
	}
}

// versionGen draws versions shaped like the ecosystem's own.
func versionGen(eco string) *rapid.Generator[string] {
	num := rapid.IntRange(0, 30)
	return rapid.Custom(func(t *rapid.T) string {
		v := fmt.Sprintf("%d.%d.%d", num.Draw(t, "a"), num.Draw(t, "b"), num.Draw(t, "c"))
		switch eco {
		case "PyPI":
			v += rapid.SampledFrom([]string{"", "a1", "rc2", ".post1", ".dev3"}).Draw(t, "s")
		case "Debian:12":
			v += rapid.SampledFrom([]string{"-1", "~rc1-1", "-2+deb12u1"}).Draw(t, "s")
		case "Alpine:v3.18":
			v += fmt.Sprintf("-r%d", num.Draw(t, "r"))
		case "AlmaLinux:9":
			v += fmt.Sprintf("-%d.el9", num.Draw(t, "r"))
		case "Maven":
			v += rapid.SampledFrom([]string{"", "-SNAPSHOT", "-alpha-1", ".Final"}).Draw(t, "s")
		case "npm", "NuGet", "crates.io", "Go":
			v += rapid.SampledFrom([]string{"", "-alpha", "-beta.2", "-rc.1"}).Draw(t, "s")
		}
		return v
	})
}

// TestOrderingProperties checks that every ecosystem's ordering is a total
// order on generated versions: reflexive, antisymmetric and transitive.
func TestOrderingProperties(t *testing.T) {
	for _, eco := range []string{"Go", "npm", "PyPI", "Maven", "NuGet", "RubyGems", "Packagist", "crates.io", "Debian:12", "Alpine:v3.18", "AlmaLinux:9", "CRAN", "Hackage"} {
		t.Run(eco, func(t *testing.T) {
			gen := versionGen(eco)
			cmp := func(t *rapid.T, a, b string) int {
				v, _, err := Parse(eco, a)
				if err != nil {
					t.Fatalf("parse %s: %v", a, err)
				}
				c, err := v.Compare(b)
				if err != nil {
					t.Fatalf("compare %s %s: %v", a, b, err)
				}
				return c
			}
			rapid.Check(t, func(t *rapid.T) {
				a, b, c := gen.Draw(t, "a"), gen.Draw(t, "b"), gen.Draw(t, "c")
				if cmp(t, a, a) != 0 {
					t.Fatalf("%s != itself", a)
				}
				if ab, ba := cmp(t, a, b), cmp(t, b, a); ab != -ba {
					t.Fatalf("cmp(%s,%s)=%d but cmp(%s,%s)=%d", a, b, ab, b, a, ba)
				}
				if cmp(t, a, b) <= 0 && cmp(t, b, c) <= 0 && cmp(t, a, c) > 0 {
					t.Fatalf("not transitive: %s <= %s <= %s but %s > %s", a, b, c, a, c)
				}
			})
		})
	}
}
