//go:build !race

package sbom

const raceEnabled = false
