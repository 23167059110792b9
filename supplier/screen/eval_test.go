package screen

// typo replaces one letter of the longest word of s, deterministically
// chosen by seed.
func typo(s string, seed int) string {
	rs := []rune(s)
	var letters []int
	for i, r := range rs {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			letters = append(letters, i)
		}
	}
	if len(letters) < 6 {
		return s
	}
	i := letters[1+seed%(len(letters)-1)]
	if rs[i] == 'e' || rs[i] == 'E' {
		rs[i] = 'a'
	} else {
		rs[i] = 'e'
	}
	return string(rs)
}
