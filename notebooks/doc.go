// Package notebooks holds the tutorial notebooks (committed with their
// outputs) and their small data; its test re-runs every notebook and fails
// when a cell errors or the committed outputs drift from a fresh run.
package notebooks
