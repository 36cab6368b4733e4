package engine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
)

// Imports returns the import paths a cell's import declarations name, in
// order, each once. A cell that does not scan yields none (running it
// reports the error).
func Imports(code string) []string {
	var paths []string
	for _, imp := range importSpecs(code) {
		if p := importPath(imp); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	return paths
}

// importSpecs returns the import specs of a cell's import declarations.
func importSpecs(code string) []*ast.ImportSpec {
	items, err := cellItems(code)
	if err != nil {
		return nil
	}
	var specs []*ast.ImportSpec
	for _, it := range items {
		if it.tok != token.IMPORT {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+code[it.start:it.end], parser.ImportsOnly)
		if err != nil {
			continue
		}
		specs = append(specs, f.Imports...)
	}
	return specs
}

// Missing returns the paths among imports that this kernel does not have
// compiled in: a kernel with them must be built (see internal/gomod).
func (s *Session) Missing(imports []string) []string {
	var missing []string
	for _, p := range imports {
		if p != "C" && p != "unsafe" && !s.importer.Has(p) {
			missing = append(missing, p)
		}
	}
	return missing
}

// SetExecutionCount sets the count of the last cell, for a session that
// carries on one whose cells it re-ran (a kernel that replaced itself).
func (s *Session) SetExecutionCount(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count = n
}
