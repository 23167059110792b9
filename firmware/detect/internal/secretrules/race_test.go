//go:build race

package secretrules

// raceEnabled is true under the race detector, which slows the
// differential tests about tenfold and adds nothing to them (they run no
// goroutines): the race pass then compares a sample, and make test runs
// the whole comparison in its ordinary pass.
const raceEnabled = true
