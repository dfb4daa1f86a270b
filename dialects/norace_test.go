//go:build !race

package dialects_test

const raceEnabled = false
