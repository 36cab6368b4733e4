package engine

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// cellFuncPrefix names the function a cell's statements are checked in.
const cellFuncPrefix = "__nmfkernelCell"

// parsedCell is a cell parsed once into one Go file: its imports and
// declarations at the top level, its statements, in order, in the body of
// a function named cellFuncPrefix+seq. Every later step (type checking,
// lowering, redefinition, the display of the last value) works on this one
// AST. Positions carry //line directives, so they name the cell's own
// lines (encoded with its run number, see lineDirective).
type parsedCell struct {
	seq  int
	code string
	// src is the file the AST was parsed from; its first headerLen bytes
	// are the package clause and the session's imports, which the
	// interpreter already has.
	src       string
	headerLen int
	fset      *token.FileSet
	file      *ast.File
	tf        *token.File
	// imports are the cell's own import declarations.
	imports []*ast.GenDecl
	// decls are the cell's other top-level declarations, in order.
	decls []ast.Decl
	// body is the function holding the cell's statements.
	body *ast.FuncDecl
	// varInits maps a package-level var declaration with initial values
	// to the offset in src of the placeholder comment in the body where
	// its values are assigned, in cell order.
	varInits map[*ast.GenDecl]int
	// mainCall is the offset of the placeholder where init functions and
	// main are called: the end of the body.
	mainCall int
	// last is the cell's last statement when it is an expression whose
	// value is shown; quiet is set when it is a print call.
	last  *ast.ExprStmt
	quiet bool
}

// cellItem is one top-level statement or declaration of a cell.
type cellItem struct {
	start, end int // byte offsets in the cell
	kind       chunkKind
	tok        token.Token // its first token
	semicolon  bool        // ended by an explicit ';'
}

// cellItems cuts a cell into its top-level items from its tokens.
func cellItems(code string) ([]cellItem, error) {
	toks, err := scanTokens(code)
	if err != nil {
		return nil, err
	}
	var items []cellItem
	depth, start := 0, -1
	add := func(i, end int, semicolon bool) {
		items = append(items, cellItem{start: toks[start].off, end: end, kind: classify(toks[start:i]), tok: toks[start].tok, semicolon: semicolon})
	}
	for i, t := range toks {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if start < 0 && t.tok != token.SEMICOLON {
			start = i
		}
		headerSemicolon := start >= 0 && t.lit == ";" && compound(toks[start].tok)
		if depth == 0 && t.tok == token.SEMICOLON && start >= 0 && !headerSemicolon {
			add(i, t.off, t.lit == ";")
			start = -1
		}
	}
	if start >= 0 {
		add(len(toks), len(code), false)
	}
	varsAsStatements(items, toks)
	return items, nil
}

// varsAsStatements makes a top-level var declaration that reads a
// variable an earlier statement of the cell declared (y := 41; var x =
// y + 1) a statement, as it is in a function body: at package level its
// initializer could not see y. The statement is hoisted like y (see
// hoist), so later cells see x too.
func varsAsStatements(items []cellItem, toks []scanTok) {
	// A var declaration whose variable a later x, y := … of the cell
	// declares again (var a int; a, b := 1, 2) is a statement too: in a
	// function body the := reuses a, at package level it would declare
	// another.
	later := map[string]bool{}
	for i := len(items) - 1; i >= 0; i-- {
		it := &items[i]
		itemToks := tokensOf(it, toks)
		switch {
		case it.kind == stmtChunk:
			for _, name := range definedNames(itemToks) {
				later[name] = true
			}
		case it.kind == declChunk && it.tok == token.VAR:
			for _, name := range varNames(itemToks) {
				if later[name] {
					it.kind = stmtChunk
				}
			}
		}
	}
	defined := map[string]bool{}
	for i := range items {
		it := &items[i]
		itemToks := tokensOf(it, toks)
		switch {
		case it.kind == stmtChunk:
			for _, name := range definedNames(itemToks) {
				defined[name] = true
			}
		case it.kind == declChunk && it.tok == token.VAR && len(defined) > 0:
			for _, t := range itemToks {
				if t.tok == token.IDENT && defined[t.lit] {
					it.kind = stmtChunk
					break
				}
			}
			if it.kind == stmtChunk {
				// Its own names are statement-declared now.
				for _, name := range varNames(itemToks) {
					defined[name] = true
				}
			}
		}
	}
}

// tokensOf returns the tokens of an item.
func tokensOf(it *cellItem, toks []scanTok) []scanTok {
	start := sort.Search(len(toks), func(i int) bool { return toks[i].off >= it.start })
	end := sort.Search(len(toks), func(i int) bool { return toks[i].off >= it.end })
	return toks[start:max(start, end)]
}

// varNames lists the names a var declaration's tokens start with (var a,
// b int; var (a = 1; …)), with the type's name when it is one word:
// enough to tell whether it declares a given name.
func varNames(itemToks []scanTok) []string {
	var names []string
	for q := 1; q < len(itemToks) && (itemToks[q].tok == token.IDENT || itemToks[q].tok == token.COMMA || itemToks[q].tok == token.LPAREN); q++ {
		if itemToks[q].tok == token.IDENT {
			names = append(names, itemToks[q].lit)
		}
	}
	return names
}

// definedNames lists the names x, y := … at the start of a statement
// declares.
func definedNames(itemToks []scanTok) []string {
	for q := 0; q < len(itemToks); q++ {
		if itemToks[q].tok == token.DEFINE {
			var names []string
			for _, t := range itemToks[:q] {
				if t.tok == token.IDENT {
					names = append(names, t.lit)
				}
			}
			return names
		}
		if itemToks[q].tok != token.IDENT && itemToks[q].tok != token.COMMA {
			return nil
		}
	}
	return nil
}

// parseCell builds and parses the cell's file. header holds the import
// declarations of the session that the cell does not repeat.
func parseCell(fset *token.FileSet, seq int, code string, sessionImports map[string]string) (*parsedCell, error) {
	return parseCellWith(fset, seq, code, sessionImports, "")
}

// parseCellWith is parseCell with extra declarations after the cell's
// own (the copies of generics, see monomorph.go), each after a //line
// directive of its own.
func parseCellWith(fset *token.FileSet, seq int, code string, sessionImports map[string]string, extra string) (*parsedCell, error) {
	items, err := cellItems(code)
	if err != nil {
		return nil, err
	}
	// The cell's own imports, to leave their names out of the header.
	own := map[string]bool{}
	for _, it := range items {
		if it.tok == token.IMPORT {
			f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+code[it.start:it.end], parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, imp := range f.Imports {
				own[importName(imp)] = true
			}
		}
	}
	var b strings.Builder
	b.WriteString("package main\n")
	names := make([]string, 0, len(sessionImports))
	for name := range sessionImports {
		if !own[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "import %s %q\n", name, sessionImports[name])
	}
	headerLen := b.Len()
	put := func(it cellItem) {
		line, col := lineCol(code, it.start)
		b.WriteString(lineDirective(seq, line, col))
		b.WriteString(code[it.start:it.end])
		b.WriteString("\n")
	}
	for _, it := range items {
		if it.tok == token.IMPORT {
			put(it)
		}
	}
	type pending struct {
		item   cellItem
		marker string
	}
	var varMarkers []pending
	for i, it := range items {
		if it.kind == declChunk && it.tok != token.IMPORT {
			put(it)
			if it.tok == token.VAR {
				varMarkers = append(varMarkers, pending{it, fmt.Sprintf("/*__nmfkernelVar%d*/", i)})
			}
		}
	}
	b.WriteString(extra)
	fmt.Fprintf(&b, "func %s%d() {\n", cellFuncPrefix, seq)
	for i, it := range items {
		switch {
		case it.tok == token.PACKAGE || it.tok == token.IMPORT:
		case it.kind == declChunk:
			if it.tok == token.VAR {
				line, col := lineCol(code, it.start)
				b.WriteString(lineDirective(seq, line, col))
				fmt.Fprintf(&b, "/*__nmfkernelVar%d*/\n", i)
			}
		default:
			put(it)
		}
	}
	b.WriteString("/*__nmfkernelMain*/\n}\n")
	src := b.String()

	f, err := parser.ParseFile(fset, "_.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	pc := &parsedCell{seq: seq, code: code, src: src, headerLen: headerLen, fset: fset, file: f, tf: fset.File(f.Pos()), varInits: map[*ast.GenDecl]int{}}
	pc.mainCall = strings.LastIndex(src, "/*__nmfkernelMain*/")
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				if pc.offset(d.Pos()) >= headerLen {
					pc.imports = append(pc.imports, d)
				}
				continue
			}
			pc.decls = append(pc.decls, d)
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == fmt.Sprintf("%s%d", cellFuncPrefix, seq) {
				pc.body = d
				continue
			}
			pc.decls = append(pc.decls, d)
		}
	}
	// Pair var declarations with their placeholders, in order.
	k := 0
	for _, d := range pc.decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR && k < len(varMarkers) {
			pc.varInits[g] = strings.Index(src, varMarkers[k].marker)
			k++
		}
	}
	if n := len(items); n > 0 && pc.body != nil && len(pc.body.Body.List) > 0 {
		lastItem := items[n-1]
		if es, ok := pc.body.Body.List[len(pc.body.Body.List)-1].(*ast.ExprStmt); ok && lastItem.kind != declChunk && lastItem.tok != token.PACKAGE && !lastItem.semicolon {
			pc.last = es
			pc.quiet = isPrintCall(es.X)
		}
	}
	return pc, nil
}

// offset returns the byte offset of pos in the cell's file.
func (pc *parsedCell) offset(pos token.Pos) int { return pc.tf.Offset(pos) }

// importName is the name an import spec binds.
func importName(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	path, _ := strconv.Unquote(imp.Path.Value)
	return pkgName(path)
}

// declNames lists the names a top-level declaration declares: a method is
// named Type.Method.
func declNames(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil {
			return []string{receiverType(d.Recv) + "." + d.Name.Name}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		var names []string
		for _, spec := range d.Specs {
			switch sp := spec.(type) {
			case *ast.TypeSpec:
				names = append(names, sp.Name.Name)
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					names = append(names, n.Name)
				}
			}
		}
		return names
	}
	return nil
}
