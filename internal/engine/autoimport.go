package engine

// Automatic imports: a cell that uses fmt.Println or strings.Fields
// without importing them gets the standard-library import, by goimports'
// rule: the package whose name is the identifier and which exports every
// name the cell takes from it. When several packages qualify (rand.Read is
// in crypto/rand and math/rand) nothing is guessed: the cell's error says
// which packages could be meant. Modules are never imported this way;
// they need an explicit import, which may fetch them.

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// undefinedName matches the type checker's error for an unknown name.
var undefinedName = regexp.MustCompile(`undefined: ([\pL_][\pL\pN_]*)$`)

// stdlibByName maps a package name to the standard library packages of
// that name and their exported names.
var stdlibByName = sync.OnceValue(func() map[string][]stdlibPackage {
	out := map[string][]stdlibPackage{}
	for key, syms := range standardLibrary() {
		i := strings.LastIndex(key, "/")
		if i < 0 {
			continue
		}
		path, name := key[:i], key[i+1:]
		if strings.Contains(path, "internal") || strings.HasPrefix(path, "nmfkernel/") || strings.Contains(path, "vendor/") {
			continue
		}
		names := map[string]bool{}
		for s := range syms {
			names[s] = true
		}
		out[name] = append(out[name], stdlibPackage{path: path, names: names})
	}
	for _, ps := range out {
		slices.SortFunc(ps, func(a, b stdlibPackage) int { return strings.Compare(a.path, b.path) })
	}
	return out
})

type stdlibPackage struct {
	path  string
	names map[string]bool
}

// selectorsOf returns the names the code selects from the identifier
// pkg (pkg.Name), outside strings and comments.
func selectorsOf(code, pkg string) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	s.Init(file, []byte(code), nil, 0)
	var prev token.Token
	var prevLit string
	var prevPrev token.Token
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.IDENT && prev == token.PERIOD && prevLit == pkg && prevPrev != token.PERIOD {
			if !slices.Contains(out, lit) {
				out = append(out, lit)
			}
		}
		// Track the two tokens before: IDENT(pkg) PERIOD.
		if tok == token.PERIOD {
			prevPrev, prev = prev, tok
			continue
		}
		prevPrev, prev, prevLit = prev, tok, lit
	}
	return out
}

// importCandidates are the standard library packages named name that
// export every selector.
func importCandidates(name string, sels []string) []string {
	var out []string
	for _, p := range stdlibByName()[name] {
		all := true
		for _, s := range sels {
			if !p.names[s] {
				all = false
				break
			}
		}
		if all {
			out = append(out, p.path)
		}
	}
	return out
}

// autoImportError is an undefined package name that several standard
// library packages could be.
type autoImportError struct {
	err        error
	name       string
	candidates []string
}

func (e *autoImportError) Error() string {
	return fmt.Sprintf("%v (%s could be %s: import the one you mean)", e.err, e.name, strings.Join(e.candidates, " or "))
}

func (e *autoImportError) Unwrap() error { return e.err }

// runWithImports runs a cell, first importing the standard library
// packages it uses without importing them; it says which it added.
func (s *Session) runWithImports(ctx context.Context, seq, count int, code string) error {
	var added []string
	defer func() {
		if len(added) > 0 {
			fmt.Fprintf(s.stderr, "(imported %s: the cell used them without an import)\n", strings.Join(added, ", "))
		}
	}()
	for range 16 {
		err := s.runCell(ctx, seq, count, code)
		if err == nil {
			return nil
		}
		m := undefinedName.FindStringSubmatch(err.Error())
		if m == nil || !isCompileError(err) {
			return err
		}
		name := m[1]
		sels := selectorsOf(code, name)
		if len(sels) == 0 || s.declNamed(name) != nil {
			return err
		}
		cands := importCandidates(name, sels)
		switch {
		case len(cands) == 0:
			return err
		case len(cands) > 1:
			return &autoImportError{err: err, name: name, candidates: cands}
		}
		imp := fmt.Sprintf("import %q", cands[0])
		if name != lastElem(cands[0]) {
			imp = fmt.Sprintf("import %s %q", name, cands[0])
		}
		if ierr := s.runCell(ctx, s.nextSeq(count, imp), count, imp); ierr != nil {
			return err
		}
		added = append(added, fmt.Sprintf("%q", cands[0]))
	}
	return s.runCell(ctx, seq, count, code)
}

func lastElem(path string) string { return path[strings.LastIndex(path, "/")+1:] }

// isCompileError reports whether err stopped a cell before it ran (the
// type checker's or the parser's).
func isCompileError(err error) bool {
	var list scanner.ErrorList
	if errors.As(err, &list) {
		return true
	}
	return cellPos.MatchString(err.Error())
}
