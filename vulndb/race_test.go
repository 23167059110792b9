//go:build race

package vulndb

// raceEnabled is true when tests run under the race detector, which slows
// SQLite-heavy imports about fifteen-fold; tests then import a smaller
// subset, and the full-data checks run in the ordinary test pass.
const raceEnabled = true
