//go:build race

package sbom

// raceEnabled is set when tests run with the race detector, which makes
// the large shared SBOMs too slow to read on every run.
const raceEnabled = true
