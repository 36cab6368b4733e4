package engine

import (
	"bufio"
	"fmt"
	"go/types"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"nmfkernel/symbols"
)

// TestEverySymbol compares, for every package a cell can import, the
// package's real API (type-checked by the Go toolchain) with what a cell
// sees: each exported function, variable, constant and type, each method
// of a type and of a pointer to it (promoted ones included) and each
// exported field must be usable from a cell, or be listed with its reason
// in testdata/symbols_missing.txt. The test fails on a symbol missing and
// not listed, and on a listed one that is now there. SYMBOLS_UPDATE=1
// rewrites the list's entries (keeping their reasons).
func TestEverySymbol(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every importable package's types")
	}
	im := cellImporter(standardLibrary(), symbols.Symbols)
	var paths []string
	for p := range im.exports {
		paths = append(paths, p)
	}
	for p := range genericSources {
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes, Tests: false}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("load the packages' types: %v", err)
		}
		t.Skipf("cannot load the packages' types (%v)", err)
	}
	listed := readMissing(t)
	var missing []string
	checked := 0
	for _, p := range pkgs {
		if len(p.Errors) > 0 || p.Types == nil {
			missing = append(missing, p.PkgPath+" (the package)")
			continue
		}
		kp, err := im.Import(p.PkgPath)
		if err != nil {
			missing = append(missing, p.PkgPath+" (the package)")
			continue
		}
		missing = append(missing, compareAPI(p.Types, kp)...)
		checked++
	}
	sort.Strings(missing)
	var unlisted []string
	for _, m := range missing {
		if _, ok := listed[m]; !ok {
			unlisted = append(unlisted, m)
		}
	}
	var fixed []string
	for m := range listed {
		if !slices.Contains(missing, m) {
			fixed = append(fixed, m)
		}
	}
	sort.Strings(fixed)
	t.Logf("%d packages checked; %d symbols missing in cells, all listed with a reason", checked, len(missing))
	if os.Getenv("SYMBOLS_UPDATE") == "1" {
		writeMissing(t, missing, listed)
		return
	}
	if len(unlisted) > 0 {
		t.Errorf("%d symbols a cell cannot use, not in testdata/symbols_missing.txt:\n%s", len(unlisted), strings.Join(unlisted, "\n"))
	}
	if len(fixed) > 0 {
		t.Errorf("listed in testdata/symbols_missing.txt but usable now: remove them:\n%s", strings.Join(fixed, "\n"))
	}
}

// compareAPI lists the exported API of real that kernel lacks.
func compareAPI(real, kernel *types.Package) []string {
	var out []string
	path := real.Path()
	for _, name := range real.Scope().Names() {
		obj := real.Scope().Lookup(name)
		if !obj.Exported() {
			continue
		}
		kobj := kernel.Scope().Lookup(name)
		if kobj == nil {
			out = append(out, path+"."+name)
			continue
		}
		tn, ok := obj.(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		ktn, ok := kobj.(*types.TypeName)
		if !ok {
			out = append(out, path+"."+name+" (not a type in cells)")
			continue
		}
		for _, t := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
			ms := types.NewMethodSet(t)
			for i := range ms.Len() {
				m := ms.At(i).Obj()
				if !m.Exported() {
					continue
				}
				var kt types.Type = ktn.Type()
				if _, isPtr := t.(*types.Pointer); isPtr {
					kt = types.NewPointer(kt)
				}
				if o, _, _ := types.LookupFieldOrMethod(kt, true, kernel, m.Name()); o == nil {
					out = append(out, path+"."+name+"."+m.Name())
				}
			}
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				f := st.Field(i)
				if !f.Exported() {
					continue
				}
				if o, _, _ := types.LookupFieldOrMethod(ktn.Type(), true, kernel, f.Name()); o == nil {
					out = append(out, path+"."+name+"."+f.Name()+" (field)")
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// readMissing reads "symbol # reason" lines.
func readMissing(t *testing.T) map[string]string {
	m := map[string]string{}
	f, err := os.Open("testdata/symbols_missing.txt")
	if os.IsNotExist(err) {
		return m
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	reason := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "## "):
			reason = strings.TrimPrefix(line, "## ")
		case strings.HasPrefix(line, "#"):
		default:
			m[line] = reason
		}
	}
	return m
}

// writeMissing writes the list grouped by reason (new entries under
// "unexplained").
func writeMissing(t *testing.T, missing []string, old map[string]string) {
	byReason := map[string][]string{}
	for _, m := range missing {
		r := old[m]
		if r == "" {
			r = "unexplained"
		}
		byReason[r] = append(byReason[r], m)
	}
	var reasons []string
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	var b strings.Builder
	b.WriteString("# The exported API of the packages a cell can import that a cell cannot use,\n")
	b.WriteString("# grouped under \"## reason\" lines. TestEverySymbol fails on a symbol missing\n")
	b.WriteString("# and not listed here, and on one listed that is usable now.\n")
	for _, r := range reasons {
		fmt.Fprintf(&b, "\n## %s\n", r)
		for _, m := range byReason[r] {
			b.WriteString(m + "\n")
		}
	}
	if err := os.WriteFile("testdata/symbols_missing.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
