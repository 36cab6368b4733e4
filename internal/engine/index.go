package engine

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// indexDetail gives Go's " [i] with length n" for an index out of range
// in the top-level statement at line:col of cell seq: it finds the
// statement's index expressions whose operands have no side effects and
// reads them again from the session's variables (the statement ran at the
// top level, so they are the session's). It returns "" when it cannot
// tell.
func (s *Session) indexDetail(seq, line, col int) string {
	s.mu.Lock()
	code := s.seqCode[seq]
	s.mu.Unlock()
	sc, err := s.checkScratch(code)
	if err != nil {
		return ""
	}
	var stmt ast.Stmt
	for _, st := range sc.pc.body.Body.List {
		p := sc.pc.fset.Position(st.Pos())
		if p.Line%lineBase == line && p.Column == col {
			stmt = st
		}
	}
	if stmt == nil {
		return ""
	}
	detail := ""
	ast.Inspect(stmt, func(n ast.Node) bool {
		ix, ok := n.(*ast.IndexExpr)
		if !ok || detail != "" {
			return detail == ""
		}
		switch sc.info.TypeOf(ix.X).Underlying().(type) {
		case *types.Slice, *types.Array, *types.Basic:
		default:
			return true
		}
		if !pure(ix.X) || !pure(ix.Index) {
			return true
		}
		x := sc.pc.src[sc.pc.offset(ix.X.Pos()):sc.pc.offset(ix.X.End())]
		i := sc.pc.src[sc.pc.offset(ix.Index.Pos()):sc.pc.offset(ix.Index.End())]
		s.result = nil
		if _, err := s.eval(context.Background(), fmt.Sprintf("__nmfkernelValue([2]int{int(%s), len(%s)})", i, x)); err != nil {
			return true
		}
		if len(s.result) == 1 {
			if v, ok := s.result[0].([2]int); ok && (v[0] < 0 || v[0] >= v[1]) {
				detail = fmt.Sprintf(" [%d] with length %d", v[0], v[1])
			}
		}
		return true
	})
	s.result = nil
	return detail
}

// pure reports whether evaluating e again has no effect: names, constants
// and arithmetic on them.
func pure(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case nil, *ast.Ident, *ast.BasicLit, *ast.ParenExpr, *ast.SelectorExpr:
		case *ast.BinaryExpr:
			ok = ok && n.Op != token.ARROW
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW && n.Op != token.AND
		default:
			ok = false
		}
		return ok
	})
	return ok && !strings.Contains(fmt.Sprint(e), "__nmfk")
}
