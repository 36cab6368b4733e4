//go:build !unix

package fastblas

import "errors"

// load: OpenBLAS is loaded only on Unix systems; elsewhere gonum's pure
// Go BLAS stays.
func load() (*openBLAS, string, error) {
	return nil, "", errors.New("loading OpenBLAS is supported on Unix systems only")
}
