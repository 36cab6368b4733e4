//go:build race

package nmf

// raceBuild reports a test binary built with the race detector, whose
// memory is several times a plain build's.
const raceBuild = true
