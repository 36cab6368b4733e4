package engine

import (
	"fmt"
	"github.com/traefik/yaegi/interp"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"nmfkernel/symbols"
	embeddeddocs "nmfkernel/symbols/docs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Completion is the answer to a completion request.
type Completion struct {
	Matches []string
	// Kinds gives, for the matches whose kind is known, what they are:
	// "function", "method", "variable", "property" (a field), "constant",
	// "type", "interface", "namespace" (a package) or "keyword".
	Kinds map[string]string
	// Start and End delimit, in characters (Unicode code points, as the
	// Jupyter protocol counts them), the text the matches replace.
	Start, End int
}

var goKeywords = strings.Fields(`break case chan const continue default defer else fallthrough for func go goto if
	import interface map package range return select struct switch type var`)

// Complete returns completions for the identifier before cursor (a
// character offset into code): session globals, declarations, imports,
// keywords and builtins, or after "x." the members of package or value x.
func (s *Session) Complete(code string, cursor int) (res Completion) {
	defer func() {
		if r := recover(); r != nil {
			res = Completion{Start: cursor, End: cursor} // never take the session down
		}
	}()
	pos := byteOffset(code, cursor)
	start := pos
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) {
			break
		}
		start -= size
	}
	prefix := code[start:pos]
	res = Completion{Start: utf8.RuneCountInString(code[:start]), End: cursor}
	var candidates []string
	kinds := map[string]string{}
	s.run.Lock()
	typed, ok := s.typedCompletions(code, start, pos, kinds)
	s.run.Unlock()
	if ok && len(typed) > 0 {
		candidates = typed
		if start == 0 || code[start-1] != '.' {
			candidates = append(candidates, goKeywords...)
		}
	} else if start > 0 && code[start-1] == '.' {
		recvEnd := start - 1
		recvStart := recvEnd
		for recvStart > 0 {
			r, size := utf8.DecodeLastRuneInString(code[:recvStart])
			if !isIdentRune(r) {
				break
			}
			recvStart -= size
		}
		candidates = s.members(code[recvStart:recvEnd], codeImports(code))
	} else {
		candidates = s.names()
	}
	for _, k := range goKeywords {
		if _, known := kinds[k]; !known {
			kinds[k] = "keyword"
		}
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) && !strings.HasPrefix(c, "__nmfkernel") {
			res.Matches = append(res.Matches, c)
			if k, ok := kinds[c]; ok {
				if res.Kinds == nil {
					res.Kinds = map[string]string{}
				}
				res.Kinds[c] = k
			}
		}
	}
	slices.Sort(res.Matches)
	res.Matches = slices.Compact(res.Matches)
	return res
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// byteOffset converts a character offset to a byte offset, clamped to code.
func byteOffset(code string, chars int) int {
	off := 0
	for i := 0; i < chars && off < len(code); i++ {
		_, size := utf8.DecodeRuneInString(code[off:])
		off += size
	}
	return off
}

// names lists everything a bare identifier can complete to.
func (s *Session) names() []string {
	s.run.Lock()
	defer s.run.Unlock()
	var out []string
	for name := range s.globals() {
		out = append(out, name)
	}
	for _, d := range s.decls {
		out = append(out, d.names...)
	}
	for name := range s.imports {
		out = append(out, name)
	}
	out = append(out, goKeywords...)
	for name := range universe {
		if name != "_" {
			out = append(out, name)
		}
	}
	return out
}

// codeImports lists the imports written in code (a cell not yet run).
func codeImports(code string) map[string]string {
	imports := map[string]string{}
	for _, imp := range importSpecs(code) {
		imports[importName(imp)] = importPath(imp)
	}
	return imports
}

// packagePath resolves a package name used in code: the session's
// imports, then the imports of the cell (extra), then a standard library
// package of that name.
func (s *Session) packagePath(name string, extra map[string]string) (string, bool) {
	if path, ok := s.imports[name]; ok {
		return path, true
	}
	if path, ok := extra[name]; ok {
		return path, true
	}
	if len(s.i.Symbols(name)[name]) > 0 {
		return name, true
	}
	return "", false
}

// members lists the exported names of an imported package (imported in the
// session or in extra, the imports of the cell being edited), or the fields
// and methods of a session variable.
func (s *Session) members(recv string, extra map[string]string) []string {
	s.run.Lock()
	defer s.run.Unlock()
	if path, ok := s.packagePath(recv, extra); ok {
		var out []string
		for name := range s.i.Symbols(path)[path] {
			if ast.IsExported(name) {
				out = append(out, name)
			}
		}
		return out
	}
	v, ok := s.globals()[recv]
	if !ok || !v.IsValid() {
		return nil
	}
	return typeMembers(v.Type())
}

// pkgName guesses a package's name from its import path, as yaegi keys
// its symbols ("gonum.org/v1/plot" → plot, "math/rand/v2" → rand).
func pkgName(path string) string {
	parts := strings.Split(path, "/")
	name := parts[len(parts)-1]
	if len(parts) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = parts[len(parts)-2]
	}
	if names := packageNames()[path]; len(names) > 0 && !slices.Contains(names, name) {
		return names[0]
	}
	return name
}

// packageNames maps the import paths of the symbol tables to their
// packages' names, which the tables' keys ("path/name") hold: a module's
// package is often named otherwise than its path ends
// (github.com/dustin/go-humanize is humanize).
var packageNames = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, t := range []interp.Exports{standardLibrary(), symbols.Symbols} {
		for key := range t {
			if i := strings.LastIndexByte(key, '/'); i > 0 && !slices.Contains(m[key[:i]], key[i+1:]) {
				m[key[:i]] = append(m[key[:i]], key[i+1:])
			}
		}
	}
	for _, names := range m {
		slices.Sort(names)
	}
	return m
})

func typeMembers(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumMethod(); i++ {
		out = append(out, t.Method(i).Name)
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		for i := 0; i < pt.NumMethod(); i++ {
			out = append(out, pt.Method(i).Name)
		}
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for i := 0; i < st.NumField(); i++ {
			if f := st.Field(i); f.IsExported() {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// Inspect describes the identifier at cursor (a character offset): for a
// package member its signature and doc comment, for a session variable its
// type and value. It returns "" when there is nothing to say.
func (s *Session) Inspect(code string, cursor int) (text string) {
	defer func() {
		if r := recover(); r != nil {
			text = "" // never take the session down
		}
	}()
	pos := byteOffset(code, cursor)
	s.run.Lock()
	typed := s.typedInspect(code, pos)
	s.run.Unlock()
	if typed != "" {
		return typed
	}
	start, end := pos, pos
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) && r != '.' {
			break
		}
		start -= size
	}
	for end < len(code) {
		r, size := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += size
	}
	expr := strings.Trim(code[start:end], ".")
	if expr == "" {
		return ""
	}
	parts := strings.Split(expr, ".")
	extra := codeImports(code)
	s.run.Lock()
	defer s.run.Unlock()
	if len(parts) >= 2 {
		if path, ok := s.packagePath(parts[0], extra); ok {
			return describeSymbol(path, parts[1], s.i.Symbols(path)[path][parts[1]])
		}
	}
	if v, ok := s.globals()[parts[0]]; ok && v.IsValid() {
		if len(parts) >= 2 {
			if m, ok := findMember(v, parts[1]); ok {
				return fmt.Sprintf("%s.%s: %s", parts[0], parts[1], m)
			}
		}
		text := fmt.Sprintf("%s %s", parts[0], v.Type())
		if v.CanInterface() {
			val := fmt.Sprintf("%v", v.Interface())
			if len(val) > 500 {
				val = val[:500] + "…"
			}
			text += " = " + val
		}
		return text
	}
	if path, ok := s.packagePath(parts[0], extra); ok && len(parts) == 1 {
		return fmt.Sprintf("package %s // import %q\n\n%s", pkgName(path), path, docs.packageDoc(path))
	}
	return ""
}

func findMember(v reflect.Value, name string) (string, bool) {
	t := v.Type()
	if m, ok := t.MethodByName(name); ok {
		return m.Type.String(), true
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		if f, ok := st.FieldByName(name); ok {
			return f.Type.String(), true
		}
	}
	return "", false
}

// describeSymbol gives a package member's declaration and doc comment, from
// the package's source when it can be found, else its type.
func describeSymbol(path, name string, v reflect.Value) string {
	if text := docs.symbolDoc(path, name); text != "" {
		return text
	}
	if !v.IsValid() {
		return ""
	}
	if v.Kind() == reflect.Func {
		return fmt.Sprintf("func %s.%s%s", pkgName(path), name, strings.TrimPrefix(v.Type().String(), "func"))
	}
	return fmt.Sprintf("%s.%s %s", pkgName(path), name, v.Type())
}

// docIndex caches go/doc packages read from source: the standard
// library's, from GOROOT; the other importable packages' documentation is
// embedded (symbols/docs).
type docIndex struct {
	mu   sync.Mutex
	pkgs map[string]*doc.Package
	fset *token.FileSet
}

var docs = &docIndex{pkgs: map[string]*doc.Package{}, fset: token.NewFileSet()}

func (d *docIndex) load(path string) *doc.Package {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pkgs[path]; ok {
		return p
	}
	d.pkgs[path] = nil
	wd, _ := os.Getwd()
	var dir string
	if bp, err := build.Default.Import(path, wd, build.FindOnly); err == nil && bp.Goroot {
		dir = bp.Dir
	} else if dir = moduleDir(path); dir == "" {
		// A module compiled into this kernel has its source in the module
		// cache; anything else, as go/build finds it.
		if err != nil {
			return nil
		}
		dir = bp.Dir
	}
	files := map[string]*ast.File{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(d.fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err == nil {
			files[n] = f
		}
	}
	if len(files) == 0 {
		return nil
	}
	var list []*ast.File
	for _, f := range files {
		list = append(list, f)
	}
	p, err := doc.NewFromFiles(d.fset, list, path)
	if err != nil {
		return nil
	}
	d.pkgs[path] = p
	return p
}

func (d *docIndex) packageDoc(path string) string {
	if e := embeddeddocs.Lookup(path); e != nil {
		return e.Synopsis
	}
	if p := d.load(path); p != nil {
		return p.Synopsis(p.Doc)
	}
	return ""
}

// methodDoc gives a method's declaration and doc comment.
func (d *docIndex) methodDoc(path, typ, name string) string {
	if e := embeddeddocs.Lookup(path); e != nil {
		return e.Symbols[typ+"."+name]
	}
	p := d.load(path)
	if p == nil {
		return ""
	}
	for _, t := range p.Types {
		if t.Name != typ {
			continue
		}
		for _, m := range t.Methods {
			if m.Name == name {
				var b strings.Builder
				d.mu.Lock()
				printer.Fprint(&b, d.fset, m.Decl)
				d.mu.Unlock()
				return strings.TrimSpace(b.String() + "\n\n" + m.Doc)
			}
		}
	}
	return ""
}

func (d *docIndex) symbolDoc(path, name string) string {
	if e := embeddeddocs.Lookup(path); e != nil {
		return e.Symbols[name]
	}
	p := d.load(path)
	if p == nil {
		return ""
	}
	show := func(decl ast.Node, text string) string {
		var b strings.Builder
		d.mu.Lock()
		printer.Fprint(&b, d.fset, decl)
		d.mu.Unlock()
		return strings.TrimSpace(b.String() + "\n\n" + text)
	}
	for _, f := range p.Funcs {
		if f.Name == name {
			return show(f.Decl, f.Doc)
		}
	}
	for _, t := range p.Types {
		if t.Name == name {
			return show(t.Decl, t.Doc)
		}
		for _, f := range t.Funcs {
			if f.Name == name {
				return show(f.Decl, f.Doc)
			}
		}
	}
	for _, vs := range [][]*doc.Value{p.Vars, p.Consts} {
		for _, v := range vs {
			if slices.Contains(v.Names, name) {
				return show(v.Decl, v.Doc)
			}
		}
	}
	return ""
}

// IsComplete reports whether code is ready to run: "complete",
// "incomplete" (an open bracket, string or block: the front end should
// offer another line) or "invalid".
func IsComplete(code string) string {
	if p := planCell(code); p.cell != nil {
		return "complete"
	} else if at := directiveLines(code); len(at) > 0 {
		// The Go around the directives decides.
		lines := strings.Split(code, "\n")
		for i := range lines {
			if at[i] {
				lines[i] = ""
			}
		}
		code = strings.Join(lines, "\n")
	}
	if strings.TrimSpace(code) == "" {
		return "complete"
	}
	toks, err := scanTokens(code)
	if err != nil {
		// Only raw strings and block comments may go on to the next line.
		if msg := err.Error(); strings.Contains(msg, "raw string literal not terminated") || strings.Contains(msg, "comment not terminated") {
			return "incomplete"
		}
		return "invalid"
	}
	depth := 0
	for _, t := range toks {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
	}
	switch {
	case depth > 0:
		return "incomplete"
	case depth < 0:
		return "invalid"
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {"+code+"\n}", 0); err != nil {
		if _, err2 := parser.ParseFile(token.NewFileSet(), "", "package p;"+code, 0); err2 != nil {
			if strings.HasSuffix(strings.TrimSpace(code), ",") || strings.HasSuffix(strings.TrimSpace(code), "+") {
				return "incomplete"
			}
			return "complete" // let the interpreter report the error with its position
		}
	}
	return "complete"
}
