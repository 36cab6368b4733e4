package nmfkernel

import (
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceHasTheKernel checks that the embedded source holds every file
// the kernel command is built from (Go, assembly, embedded files), so that
// a kernel can rebuild itself.
func TestSourceHasTheKernel(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}|{{.Dir}}|{{join .GoFiles " "}} {{join .SFiles " "}} {{join .HFiles " "}} {{join .EmbedFiles " "}}{{end}}`, "./cmd/kernel").Output()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs(".")
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 3)
		if len(f) != 3 || f[0] != "nmfkernel" && !strings.HasPrefix(f[0], "nmfkernel/") {
			continue
		}
		rel, err := filepath.Rel(root, f[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range strings.Fields(f[2]) {
			p := path.Join(filepath.ToSlash(rel), name)
			if _, err := fs.Stat(Source, p); err != nil {
				t.Errorf("%s (package %s) is not in the embedded source: add it to the go:embed line in source.go", p, f[0])
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d files checked", n)
	}
}
