//go:build race

package symbols

const raceEnabled = true
