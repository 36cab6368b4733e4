//go:build unix

package fastblas

import (
	"fmt"

	"github.com/ebitengine/purego"
)

func load() (*openBLAS, string, error) {
	var firstErr error
	for _, lib := range libraries {
		h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		impl := &openBLAS{}
		if _, err := purego.Dlsym(h, "cblas_dgemm"); err != nil {
			return nil, "", fmt.Errorf("%s has no cblas_dgemm: %w", lib, err)
		}
		purego.RegisterLibFunc(&impl.dgemm, h, "cblas_dgemm")
		if _, err := purego.Dlsym(h, "openblas_get_config"); err == nil {
			purego.RegisterLibFunc(&impl.config, h, "openblas_get_config")
		}
		return impl, lib, nil
	}
	return nil, "", fmt.Errorf("OpenBLAS not found (%v); on Debian or Ubuntu: apt-get install libopenblas0", firstErr)
}
