// Package movielens finds the MovieLens ml-latest-small data set for tests,
// benchmarks and notebooks: the directory named by $MOVIELENS_DIR, or else
// ../shared/data/ml-latest-small beside the repository. The data is never
// part of the repository (see its README.txt for the terms of use).
package movielens

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// EnvVar names the directory holding ratings.csv and movies.csv.
const EnvVar = "MOVIELENS_DIR"

// Dir returns the absolute directory of the data set, whether or not it
// is there (see Check).
func Dir() string {
	if dir := os.Getenv(EnvVar); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return dir
		}
		return abs
	}
	// This file is internal/movielens/movielens.go in the repository.
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	return filepath.Join(filepath.Dir(repo), "shared", "data", "ml-latest-small")
}

// Check reports why the data set cannot be read from Dir, or nil.
func Check() error {
	dir := Dir()
	if _, err := os.Stat(filepath.Join(dir, "ratings.csv")); err != nil {
		return fmt.Errorf("MovieLens ml-latest-small not found in %s (set %s, or put it in ../shared/data beside the repository): %w", dir, EnvVar, err)
	}
	return nil
}
