//go:build !race

package secretrules

const raceEnabled = false
