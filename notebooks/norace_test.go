//go:build !race

package notebooks

const raceEnabled = false
