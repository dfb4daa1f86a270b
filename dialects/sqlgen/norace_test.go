//go:build !race

package sqlgen_test

const raceEnabled = false
