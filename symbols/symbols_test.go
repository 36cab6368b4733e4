package symbols

import (
	"bytes"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/traefik/yaegi/extract"
)

// TestSymbolsUpToDate extracts the project's own packages again, as go
// generate does, and compares with the committed files. Third-party
// packages change only with their module versions: TestSymbolsPinned
// covers them, and TestThirdPartySymbolsUpToDate re-extracts them too.
func TestSymbolsUpToDate(t *testing.T) {
	checkExtracted(t, func(pkg string) bool { return strings.HasPrefix(pkg, "nmfkernel/") })
}

// TestThirdPartySymbolsUpToDate re-extracts gonum and gonum/plot, which
// type-checks them from source: about a minute, so it is left out of
// -short and -race runs.
func TestThirdPartySymbolsUpToDate(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("re-extracting third-party packages takes about a minute; TestSymbolsPinned checks their versions instead")
	}
	checkExtracted(t, func(pkg string) bool { return !strings.HasPrefix(pkg, "nmfkernel/") })
}

func checkExtracted(t *testing.T, want func(string) bool) {
	ext := extract.Extractor{Dest: "symbols"}
	file := strings.NewReplacer("/", "-", ".", "_", "~", "_")
	for _, pkg := range Packages {
		if !want(pkg) {
			continue
		}
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			checkPackage(t, ext, file, pkg)
		})
	}
}

func checkPackage(t *testing.T, ext extract.Extractor, file *strings.Replacer, pkg string) {
	{
		var buf bytes.Buffer
		importPath, err := ext.Extract(pkg, "symbols", &buf)
		if err != nil {
			t.Fatalf("extract %s: %v", pkg, err)
		}
		name := file.Replace(importPath) + ".go"
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./symbols/...)", pkg, err)
		}
		if !bytes.Equal(committed, buf.Bytes()) {
			t.Errorf("%s is stale: run go generate ./symbols/...", name)
		}
	}
}

// TestSymbolsPinned fails when go.mod moves gonum or gonum/plot to a
// version other than the one the symbols were generated from.
func TestSymbolsPinned(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in the test binary")
	}
	for _, dep := range info.Deps {
		if want, pinned := GeneratedFrom[dep.Path]; pinned && dep.Version != want {
			t.Errorf("%s is %s in go.mod, symbols were generated from %s: run go generate ./symbols/... and update GeneratedFrom", dep.Path, dep.Version, want)
		}
	}
}

func TestSymbolsRegistered(t *testing.T) {
	for _, pkg := range Packages {
		name := pkg[strings.LastIndex(pkg, "/")+1:]
		if pkg == "gonum.org/v1/plot" {
			name = "plot"
		}
		if _, ok := Symbols[pkg+"/"+name]; !ok {
			t.Errorf("no symbols for %s", pkg)
		}
	}
	if _, ok := Symbols["nmfkernel/lib/nmf/nmf"]["Fit"]; !ok {
		t.Error("nmf.Fit missing")
	}
}
