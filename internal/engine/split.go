package engine

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"strings"
)

// chunkKind says whether a top-level item of a cell is a declaration or a
// statement.
type chunkKind int

const (
	declChunk chunkKind = iota // imports and type, func, var, const declarations
	stmtChunk                  // statements, run in the cell's function
)

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

// lineBase separates runs in the line numbers yaegi reports: line L of
// run N is reported as line N·lineBase + L.
const lineBase = 100000

func lineDirective(seq, line, col int) string {
	return fmt.Sprintf("\n//line _.go:%d:%d\n", seq*lineBase+line, col)
}

// receiverType names the type a method belongs to.
func receiverType(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	case *ast.IndexListExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}
