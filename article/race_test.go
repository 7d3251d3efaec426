//go:build race

package article

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
