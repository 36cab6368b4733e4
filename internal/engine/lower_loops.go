package engine

// Loops and range. yaegi v0.16.1 lacks range over integers and over
// functions, mishandles a range body that redeclares the range's own
// variables, and shares loop variables between iterations where Go 1.22
// gives each iteration its own:
//
//   - for i := range n becomes a three-clause loop over a fresh counter;
//   - for k, v := range f (iter.Seq, iter.Seq2, any func(yield) form)
//     becomes a call of f with a yield function holding the body, with
//     break, continue, return and labels carried out by flags; defer and
//     goto in such a body are refused by name;
//   - loop variables captured by closures are copied per iteration;
//   - for k, c := range xs, xs a slice or array of channels, panics; it
//     becomes a loop over the indices.
//
// for k, v = range x (assignment) is lowered in lower_stmt.go.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// lowerRange rewrites range over an integer and over a function.
func (l *lowering) lowerRange(rs *ast.RangeStmt) {
	xt := l.info.TypeOf(rs.X)
	if xt == nil {
		return
	}
	switch u := xt.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsInteger != 0 {
			l.rangeInt(rs, xt)
			return
		}
	case *types.Signature:
		l.rangeFunc(rs, u)
		return
	}
	if l.rangeChanElems(rs, xt) {
		return
	}
	l.lowerRangeAssign(rs)
	if rs.Tok == token.DEFINE && captures(rs.Body) {
		// The range's own variables are renamed and copied in the body
		// (yaegi mishandles a body that redeclares them).
		var copies []string
		for _, e := range []ast.Expr{rs.Key, rs.Value} {
			id, ok := e.(*ast.Ident)
			if !ok || id.Name == "_" || l.info.Defs[id] == nil {
				continue
			}
			fresh := l.fresh("it")
			l.replace(id.Pos(), id.End(), fresh)
			copies = append(copies, fmt.Sprintf("%s := %s; _ = %s;", id.Name, fresh, id.Name))
		}
		if len(copies) > 0 {
			l.insert(rs.Body.Lbrace+1, " "+strings.Join(copies, " "))
		}
	}
}

// rangeChanElems: for k, c := range xs, xs a slice or array of channels,
// panics in yaegi ("reflect: call of reflect.Value.Len on int Value",
// even for a plain xs := make([]chan int, 3)); it becomes a loop over
// the indices, for __k, __s := 0, xs; __k < len(__s); __k++ { k, c :=
// __k, __s[__k]; … }, xs evaluated once (an array copied) as range does.
func (l *lowering) rangeChanElems(rs *ast.RangeStmt, xt types.Type) bool {
	if rs.Value == nil {
		return false
	}
	if id, ok := rs.Value.(*ast.Ident); ok && id.Name == "_" {
		return false
	}
	u := xt.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
	}
	var elem types.Type
	switch u := u.(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	default:
		return false
	}
	if _, isChan := elem.Underlying().(*types.Chan); !isChan {
		return false
	}
	k, sv := l.fresh("k"), l.fresh("s")
	xText := l.render(l.off(rs.X.Pos()), l.off(rs.X.End()))
	l.render(l.off(rs.For), l.off(rs.Body.Lbrace))
	l.edits = append(l.edits, edit{l.off(rs.For), l.off(rs.Body.Lbrace), fmt.Sprintf("for %s, %s := 0, %s; %s < len(%s); %s++ ", k, sv, xText, k, sv, k)})
	op := "="
	if rs.Tok == token.DEFINE {
		op = ":="
	}
	lhs, rhs := l.pc.src[l.off(rs.Value.Pos()):l.off(rs.Value.End())], sv+"["+k+"]"
	if rs.Key != nil {
		if id, ok := rs.Key.(*ast.Ident); !ok || id.Name != "_" {
			lhs = l.pc.src[l.off(rs.Key.Pos()):l.off(rs.Key.End())] + ", " + lhs
			rhs = k + ", " + rhs
		}
	}
	l.insert(rs.Body.Lbrace+1, fmt.Sprintf(" %s %s %s; _, _ = %s, %s;", lhs, op, rhs, k, sv))
	return true
}

// rangeInt: for i := range n { … } becomes
// for k, end := T(0), n; k < end; k++ { i := k; … }.
func (l *lowering) rangeInt(rs *ast.RangeStmt, xt types.Type) {
	t, err := l.typeString(xt)
	if err != nil {
		l.fail(rs.Pos(), "range over a value of an unexported integer type")
		return
	}
	k, end := l.fresh("k"), l.fresh("n")
	from := rs.Range
	if rs.Key != nil {
		from = rs.Key.Pos()
	}
	l.replace(from, rs.X.Pos(), fmt.Sprintf("%s, %s := %s(0), %s(", k, end, t, t))
	l.insert(rs.X.End(), fmt.Sprintf("); %s < %s; %s++", k, end, k))
	if rs.Key != nil {
		if id, ok := rs.Key.(*ast.Ident); ok && id.Name == "_" {
			return
		}
		keyText := l.pc.src[l.off(rs.Key.Pos()):l.off(rs.Key.End())]
		op := "="
		if rs.Tok == token.DEFINE {
			op = ":="
		}
		l.insert(rs.Body.Lbrace+1, fmt.Sprintf(" %s %s %s; _ = %s;", keyText, op, k, keyText))
	}
}

// rangeFunc: for k, v := range seq { body } becomes a call of seq with a
// yield function holding body, in which break returns false, continue
// returns true, and return, break or continue to an outer label set a flag
// that is acted on after the call.
func (l *lowering) rangeFunc(rs *ast.RangeStmt, sig *types.Signature) {
	if sig.Params().Len() != 1 {
		return
	}
	ysig, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok {
		return
	}
	flag := l.fresh("rf")
	label := ""
	outer := l.sigs[len(l.sigs)-1]
	var temps []string
	var exits []string // outer branch statements, flag value 2+i
	bareReturn := outer.Results().Len() > 0 && outer.Results().At(0).Name() != ""
	var walkErr bool
	// Rewrite the body's branch and return statements that leave it.
	var visit func(n ast.Node, loops int, breakables int) bool
	visit = func(n ast.Node, loops, breakables int) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			l.fail(n.Pos(), "defer in the body of a range over a function (move the body into a function and defer there)")
			walkErr = true
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			ast.Inspect(bodyOf(n), func(m ast.Node) bool {
				if m == bodyOf(n) {
					return true
				}
				return visit(m, loops+1, breakables+1)
			})
			return false
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			ast.Inspect(bodyOf(n), func(m ast.Node) bool {
				if m == bodyOf(n) {
					return true
				}
				return visit(m, loops, breakables+1)
			})
			return false
		case *ast.ReturnStmt:
			var text string
			if len(n.Results) > 0 {
				for i := range outer.Results().Len() {
					if i >= len(temps) {
						temps = append(temps, l.fresh("r"))
					}
				}
				var vals []string
				for _, r := range n.Results {
					vals = append(vals, l.render(l.off(r.Pos()), l.off(r.End())))
				}
				text = fmt.Sprintf("{ %s = 1; %s = %s; return false }", flag, strings.Join(temps[:outer.Results().Len()], ", "), strings.Join(vals, ", "))
			} else {
				text = fmt.Sprintf("{ %s = 1; return false }", flag)
			}
			l.replace(n.Pos(), n.End(), text)
			return false
		case *ast.BranchStmt:
			switch {
			case n.Tok == token.GOTO || n.Tok == token.FALLTHROUGH:
				if n.Tok == token.GOTO {
					l.fail(n.Pos(), "goto in the body of a range over a function")
					walkErr = true
				}
			case n.Label == nil && n.Tok == token.BREAK && breakables == 0,
				n.Label == nil && n.Tok == token.CONTINUE && loops == 0:
				if n.Tok == token.BREAK {
					l.replace(n.Pos(), n.End(), "return false")
				} else {
					l.replace(n.Pos(), n.End(), "return true")
				}
			case n.Label != nil && n.Label.Name == label:
				if n.Tok == token.BREAK {
					l.replace(n.Pos(), n.End(), "return false")
				} else {
					l.replace(n.Pos(), n.End(), "return true")
				}
			case n.Label != nil && !labelInside(rs.Body, n.Label.Name):
				exits = append(exits, n.Tok.String()+" "+n.Label.Name)
				l.replace(n.Pos(), n.End(), fmt.Sprintf("{ %s = %d; return false }", flag, 1+len(exits)))
			}
			return false
		}
		return true
	}
	if ls, ok := l.parentLabel(rs); ok {
		label = ls
	}
	ast.Inspect(rs.Body, func(n ast.Node) bool {
		if n == rs.Body {
			return true
		}
		return visit(n, 0, 0)
	})
	if walkErr {
		return
	}
	// The yield function's parameters.
	var params, assigns []string
	vars := []ast.Expr{rs.Key, rs.Value}
	for i := range ysig.Params().Len() {
		t, err := l.typeString(ysig.Params().At(i).Type())
		if err != nil {
			l.fail(rs.Pos(), "range over a function yielding an unexported type")
			return
		}
		name := "_"
		if i < 2 && vars[i] != nil {
			if id, ok := vars[i].(*ast.Ident); ok && rs.Tok == token.DEFINE {
				name = id.Name
			} else if !(ok && id.Name == "_") {
				name = l.fresh("p")
				assigns = append(assigns, fmt.Sprintf("%s = %s; ", l.pc.src[l.off(vars[i].Pos()):l.off(vars[i].End())], name))
			}
		}
		params = append(params, name+" "+t)
	}
	var pre strings.Builder
	fmt.Fprintf(&pre, "{ var %s int; _ = %s; ", flag, flag)
	for i, tmp := range temps {
		t, err := l.typeString(outer.Results().At(i).Type())
		if err != nil {
			l.fail(rs.Pos(), "return of an unexported type from the body of a range over a function")
			return
		}
		fmt.Fprintf(&pre, "var %s %s; ", tmp, t)
	}
	open, closeParen := "", ""
	switch rs.X.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.IndexListExpr, *ast.ParenExpr, *ast.FuncLit:
	default:
		open, closeParen = "(", ")"
	}
	pre.WriteString(open)
	l.replace(rs.For, rs.X.Pos(), pre.String())
	l.replace(rs.X.End(), rs.Body.Lbrace+1, fmt.Sprintf("%s(func(%s) bool { %s", closeParen, strings.Join(params, ", "), strings.Join(assigns, "")))
	var post strings.Builder
	post.WriteString("\nreturn true }); ")
	switch {
	case len(temps) > 0:
		fmt.Fprintf(&post, "if %s == 1 { return %s }; ", flag, strings.Join(temps, ", "))
	case bareReturn || outer.Results().Len() == 0:
		fmt.Fprintf(&post, "if %s == 1 { return }; ", flag)
	}
	for i, e := range exits {
		fmt.Fprintf(&post, "if %s == %d { %s }; ", flag, 2+i, e)
	}
	post.WriteString("}")
	l.replace(rs.Body.Rbrace, rs.Body.Rbrace+1, post.String())
}

// parentLabel returns the label of a labeled range statement.
func (l *lowering) parentLabel(rs *ast.RangeStmt) (string, bool) {
	var found string
	inspect := func(root ast.Node) {
		ast.Inspect(root, func(n ast.Node) bool {
			if ls, ok := n.(*ast.LabeledStmt); ok && ls.Stmt == rs {
				found = ls.Label.Name
			}
			return found == ""
		})
	}
	inspect(l.pc.file)
	return found, found != ""
}

func bodyOf(n ast.Node) ast.Node {
	switch n := n.(type) {
	case *ast.ForStmt:
		return n.Body
	case *ast.RangeStmt:
		return n.Body
	case *ast.SwitchStmt:
		return n.Body
	case *ast.TypeSwitchStmt:
		return n.Body
	case *ast.SelectStmt:
		return n.Body
	}
	return n
}

// labelInside reports whether a label is declared inside n.
func labelInside(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if ls, ok := m.(*ast.LabeledStmt); ok && ls.Label.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// captures reports whether body may keep a reference to a variable past
// an iteration: a function literal, a go or defer statement, or &.
func captures(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND
		}
		return !found
	})
	return found
}

// assigns reports whether body assigns to one of vars.
func (l *lowering) assigns(body *ast.BlockStmt, vars map[types.Object]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.IncDecStmt:
			lhs = []ast.Expr{n.X}
		}
		for _, e := range lhs {
			if id, ok := ast.Unparen(e).(*ast.Ident); ok && vars[l.info.Uses[id]] {
				found = true
			}
		}
		return !found
	})
	return found
}

// perIteration gives each iteration its own copy of the loop's variables,
// as Go 1.22 does (yaegi shares one variable across iterations): name :=
// name at the top of the body, when the body can keep a reference to
// them and does not assign them.
func (l *lowering) perIteration(idents []ast.Expr, body *ast.BlockStmt) {
	if !captures(body) {
		return
	}
	vars := map[types.Object]bool{}
	var names []string
	for _, e := range idents {
		id, ok := e.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		if obj := l.info.Defs[id]; obj != nil {
			vars[obj] = true
			names = append(names, id.Name)
		}
	}
	if len(names) == 0 || l.assigns(body, vars) {
		return
	}
	list := strings.Join(names, ", ")
	l.insert(body.Lbrace+1, fmt.Sprintf(" %s := %s;", list, list))
}

// lowerFor gives a three-clause loop's variables per-iteration copies.
func (l *lowering) lowerFor(fs *ast.ForStmt) {
	if as, ok := fs.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
		l.perIteration(as.Lhs, fs.Body)
	}
}
