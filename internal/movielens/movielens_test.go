package movielens

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv(EnvVar, "")
	if d := Dir(); !filepath.IsAbs(d) || !strings.HasSuffix(d, filepath.Join("shared", "data", "ml-latest-small")) {
		t.Errorf("default Dir() = %q", d)
	}
	t.Setenv(EnvVar, "rel/ml")
	if d := Dir(); !filepath.IsAbs(d) || !strings.HasSuffix(d, filepath.Join("rel", "ml")) {
		t.Errorf("Dir() with %s=rel/ml is %q", EnvVar, d)
	}
	t.Setenv(EnvVar, t.TempDir())
	if err := Check(); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("Check on an empty directory: %v", err)
	}
}
