//go:build race

package faulttest

// raceEnabled: the test binary is built with -race, and so is the dlayer
// binary it builds, to reuse the packages already compiled for it.
const raceEnabled = true
