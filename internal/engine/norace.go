//go:build !race

package engine

// raceBuild is set when the race detector is on: statement markers in
// functions are then stored atomically (see lowering.markStatements).
const raceBuild = false
