package advisory

import "strings"

// SplitCPE splits a CPE 2.3 formatted string on its unescaped colons.
func SplitCPE(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// CPEVendorProduct returns the vendor and product of a CPE 2.3 formatted
// string ("cpe:2.3:a:vendor:product:…"), lower-cased.
func CPEVendorProduct(cpe string) (vendor, product string, ok bool) {
	f := SplitCPE(cpe)
	if len(f) < 6 || f[0] != "cpe" || f[1] != "2.3" {
		return "", "", false
	}
	return strings.ToLower(f[3]), strings.ToLower(f[4]), true
}
