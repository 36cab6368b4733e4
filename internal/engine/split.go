package engine

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// chunkKind says how a piece of a cell is evaluated.
type chunkKind int

const (
	declChunk chunkKind = iota // imports and type, func, var, const declarations
	stmtChunk                  // statements, run in the global scope
	exprChunk                  // the cell's last expression, whose value is shown
)

// chunk is a run of a cell's top-level statements evaluated together.
type chunk struct {
	kind      chunkKind
	src       string
	line, col int // 1-based position of src in the cell
	// call is set on an exprChunk whose expression is a function call.
	call bool
	// quiet is set on an exprChunk whose value is not shown: a print call.
	quiet bool
	// block is set on a statement that calls a function literal: yaegi
	// runs such a top-level statement again in every later evaluation, but
	// not inside a block, so the chunk is evaluated as { stmt }.
	block bool
	// closure is set on a compound statement (for, if, switch, select, a
	// block): yaegi mishandles some of them at top level (a multi-value :=
	// in a loop body is "undefined"), so the chunk runs as
	// { func() { stmt }() }, which means the same: nothing such a statement
	// declares outlives it.
	closure bool
}

// stmt is one top-level statement or declaration of a cell.
type stmt struct {
	first      int // index of its first token
	start, end int // byte offsets in the cell
	kind       chunkKind
	isImport   bool
	semicolon  bool // ended by an explicit ';'
}

// splitCell cuts a cell into chunks that yaegi evaluates one after the
// other: yaegi evaluates either declarations or statements in one call, but
// a notebook cell mixes them freely (import "fmt"; x := 1; func f() …). A
// last expression statement becomes its own exprChunk so that its value can
// be shown; a trailing explicit ';' suppresses that, as in IPython.
func splitCell(code string) ([]chunk, error) {
	toks, err := scanTokens(code)
	if err != nil {
		return nil, err
	}

	var stmts []stmt
	depth, start := 0, -1
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
		// A for, if, switch or select header has explicit semicolons of
		// its own; such a statement ends only at a newline (Go wants the
		// header and its brace on one line).
		headerSemicolon := start >= 0 && t.lit == ";" && compound(toks[start].tok)
		if depth == 0 && t.tok == token.SEMICOLON && start >= 0 && !headerSemicolon {
			stmts = append(stmts, stmt{first: start, start: toks[start].off, end: t.off, kind: classify(toks[start:i]), isImport: toks[start].tok == token.IMPORT, semicolon: t.lit == ";"})
			start = -1
		}
	}
	if start >= 0 {
		stmts = append(stmts, stmt{first: start, start: toks[start].off, end: len(code), kind: classify(toks[start:]), isImport: toks[start].tok == token.IMPORT})
	}

	var chunks []chunk
	for i, s := range stmts {
		kind := s.kind
		text := code[s.start:s.end]
		last := i == len(stmts)-1
		var call, quiet, block, closure bool
		if kind == stmtChunk {
			switch toks[s.first].tok {
			case token.FOR, token.IF, token.SWITCH, token.SELECT, token.LBRACE:
				closure = true
			default:
				block = needsBlock(text)
			}
		}
		if kind == stmtChunk && last && !s.semicolon && !block && !closure {
			if e, err := parser.ParseExpr(text); err == nil {
				kind = exprChunk
				_, call = e.(*ast.CallExpr)
				quiet = isPrintCall(e)
			}
		}
		if n := len(chunks); n > 0 && kind != exprChunk && !block && !closure && !chunks[n-1].block && !chunks[n-1].closure && chunks[n-1].kind == kind && !(s.isImport && kind == declChunk && !chunkIsImports(chunks[n-1].src)) {
			chunks[n-1].src = code[offsetOf(code, chunks[n-1].line, chunks[n-1].col):s.end]
			continue
		}
		line, col := lineCol(code, s.start)
		chunks = append(chunks, chunk{kind: kind, src: text, line: line, col: col, call: call, quiet: quiet, block: block, closure: closure})
	}
	return chunks, nil
}

// scanTokens returns the tokens of a cell (with Go's automatic
// semicolons), or the scanner's errors positioned as "cell:line:col".
func scanTokens(code string) ([]scanTok, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var errs scanner.ErrorList
	var sc scanner.Scanner
	sc.Init(file, []byte(code), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var toks []scanTok
	for {
		pos, t, lit := sc.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, scanTok{file.Offset(pos), t, lit})
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return toks, nil
}

// needsBlock reports whether a top-level statement contains a function
// literal and declares nothing (see chunk.block).
func needsBlock(stmt string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {"+stmt+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return false
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) != 1 {
		return false
	}
	if a, ok := body[0].(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
		return false
	}
	found := false
	ast.Inspect(body[0], func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			found = true
		}
		return !found
	})
	return found
}

// compound reports whether a statement starting with tok has a header
// (for, if, switch, select).
func compound(tok token.Token) bool {
	return tok == token.FOR || tok == token.IF || tok == token.SWITCH || tok == token.SELECT
}

// scanTok is one token of a cell.
type scanTok struct {
	off int
	tok token.Token
	lit string
}

// classify decides whether a statement is a declaration or a statement from
// its tokens: import, type, var and const start declarations; func starts
// one when a name (or a method receiver and then a name) follows, and is a
// function literal otherwise.
func classify(toks []scanTok) chunkKind {
	if len(toks) == 0 {
		return stmtChunk
	}
	switch toks[0].tok {
	case token.IMPORT, token.TYPE, token.VAR, token.CONST:
		return declChunk
	case token.FUNC:
		if len(toks) < 2 {
			return stmtChunk
		}
		switch toks[1].tok {
		case token.IDENT:
			return declChunk
		case token.LPAREN:
			depth := 0
			for i := 1; i < len(toks); i++ {
				switch toks[i].tok {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
					if depth == 0 {
						if i+2 < len(toks) && toks[i+1].tok == token.IDENT && toks[i+2].tok == token.LPAREN {
							return declChunk // func (r T) Name(
						}
						return stmtChunk
					}
				}
			}
		}
	}
	return stmtChunk
}

// chunkIsImports reports whether a declaration chunk holds only imports, so
// that more imports may join it (Go wants imports before other
// declarations).
func chunkIsImports(src string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+src, parser.ImportsOnly)
	if err != nil {
		return false
	}
	return len(f.Decls) > 0 && len(f.Imports) > 0 && strings.Count(src, "import") >= len(f.Decls)
}

// isPrintCall reports whether e calls a fmt or log print function, whose
// results (a byte count and an error) nobody wants to see displayed.
func isPrintCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			return false
		}
		name := f.Sel.Name
		switch pkg.Name {
		case "fmt":
			return strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint") || strings.Contains(name, "scan") || strings.HasPrefix(name, "Scan")
		case "log":
			return true
		}
	case *ast.Ident:
		return f.Name == "print" || f.Name == "println"
	}
	return false
}

// lineCol returns the 1-based line and column of a byte offset.
func lineCol(code string, off int) (line, col int) {
	line = 1 + strings.Count(code[:off], "\n")
	col = off - strings.LastIndex(code[:off], "\n")
	return line, col
}

// offsetOf returns the byte offset of a 1-based line and column.
func offsetOf(code string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		off += strings.IndexByte(code[off:], '\n') + 1
	}
	return off + col - 1
}

// lineBase separates runs in the line numbers yaegi reports: line L of
// run N is reported as line N·lineBase + L.
const lineBase = 100000

// withLine prefixes a chunk with a //line directive so that yaegi reports
// positions in the cell. The file name stays yaegi's own (_.go): yaegi
// resolves imports by the file name of a node's position, so another name
// would break them; the run is encoded in the line number instead.
func withLine(seq int, c chunk) string {
	if c.closure {
		return "{func() {" + lineDirective(seq, c.line, c.col) + c.src + "\n}()}"
	}
	if c.block {
		return "{" + lineDirective(seq, c.line, c.col) + c.src + "\n}"
	}
	return lineDirective(seq, c.line, c.col) + c.src
}

func lineDirective(seq, line, col int) string {
	return fmt.Sprintf("\n//line _.go:%d:%d\n", seq*lineBase+line, col)
}
