package engine

// defer, go and method values. yaegi v0.16.1 evaluates a deferred call's
// receiver and arguments when the call runs instead of at the defer
// statement, lets a panic in a goroutine end the process, and binds a
// method value's receiver late:
//
//   - defer f(x) becomes a call of a function literal that received the
//     receiver and arguments at the defer (and a literal deferred in a loop
//     gets that iteration's variables);
//   - go f(x) gets a deferred recover that reports the panic at the go
//     statement's line instead of ending the kernel;
//   - x.M as a value copies x where it is written, and (T).M becomes a
//     function literal.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// goRecover is the deferred call that turns a panic in a goroutine a cell
// started into a report instead of the end of the process; it names the
// go statement's line (the position encodes the run, see lineDirective).
func (l *lowering) goRecover(g *ast.GoStmt) string {
	p := l.pc.fset.Position(g.Pos())
	return fmt.Sprintf("defer func() { if __r := recover(); __r != nil { __nmfkernel.GoPanic(__r, %d, %d) } }(); ", p.Line, p.Column)
}

// lowerGo makes goroutines started by cell code recover their panics.
func (l *lowering) lowerGo(g *ast.GoStmt) {
	if lit, ok := ast.Unparen(g.Call.Fun).(*ast.FuncLit); ok {
		l.insert(lit.Body.Lbrace+1, l.goRecover(g))
		return
	}
	sig, ok := l.info.TypeOf(g.Call.Fun).(*types.Signature)
	if !ok {
		return // a builtin or conversion
	}
	var params, names []string
	n := sig.Params().Len()
	for i := range g.Call.Args {
		var t types.Type
		switch {
		case sig.Variadic() && i >= n-1 && !g.Call.Ellipsis.IsValid():
			t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		default:
			t = sig.Params().At(i).Type()
		}
		ts, err := l.typeString(t)
		if err != nil {
			return
		}
		name := l.fresh("g")
		params = append(params, name+" "+ts)
		names = append(names, name)
	}
	call := strings.Join(names, ", ")
	if g.Call.Ellipsis.IsValid() {
		call += "..."
	}
	fun := l.render(l.off(g.Call.Fun.Pos()), l.off(g.Call.Fun.End()))
	var args []string
	for _, a := range g.Call.Args {
		args = append(args, l.render(l.off(a.Pos()), l.off(a.End())))
	}
	l.render(l.off(g.Call.Pos()), l.off(g.Call.End()))
	l.edits = append(l.edits, edit{l.off(g.Call.Pos()), l.off(g.Call.End()),
		fmt.Sprintf("func(%s) { %s%s(%s) }(%s)", strings.Join(params, ", "), l.goRecover(g), fun, call, strings.Join(args, ", "))})
}

// lowerDefer makes a deferred call's function value and arguments be
// evaluated where the defer statement is, as Go does (yaegi reads them
// from their variables when the call runs): they are copied to fresh
// variables in a block around the defer.
func (l *lowering) lowerDefer(d *ast.DeferStmt) {
	call := d.Call
	var pre, args, argTexts []string
	moved := false
	for i, a := range call.Args {
		text := l.render(l.off(a.Pos()), l.off(a.End()))
		argTexts = append(argTexts, text)
		tv := l.info.Types[a]
		if tv.Value != nil || tv.IsNil() {
			args = append(args, text) // a constant keeps its untyped conversion
			continue
		}
		name := fmt.Sprintf("%s_%d", l.fresh("d"), i)
		pre = append(pre, fmt.Sprintf("%s := %s; ", name, text))
		args = append(args, name)
		moved = true
	}
	fun := ""
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		// A method's receiver is evaluated at the defer too: defer
		// f.Close() in a loop closes each iteration's f.
		sel := l.info.Selections[f]
		if sel == nil || sel.Kind() != types.MethodVal {
			break
		}
		msig := sel.Obj().(*types.Func).Type().(*types.Signature)
		if msig.Variadic() {
			break
		}
		_, ptrRecv := msig.Recv().Type().(*types.Pointer)
		_, ptrX := sel.Recv().Underlying().(*types.Pointer)
		x := l.render(l.off(f.X.Pos()), l.off(f.X.End()))
		rt := sel.Recv()
		if ptrRecv && !ptrX && !types.IsInterface(rt) {
			x, rt = "&"+x, types.NewPointer(rt) // the method works on the variable itself
		}
		rts, err := l.typeString(rt)
		if err != nil {
			break
		}
		// The receiver and the arguments are passed to a literal, whose
		// arguments yaegi evaluates at the defer.
		params := []string{"__nmfkR " + rts}
		var inner []string
		for i := range msig.Params().Len() {
			ts, err := l.typeString(msig.Params().At(i).Type())
			if err != nil {
				return
			}
			params = append(params, fmt.Sprintf("__nmfkA%d %s", i, ts))
			inner = append(inner, fmt.Sprintf("__nmfkA%d", i))
		}
		callArgs := argTexts
		l.render(l.off(d.Pos()), l.off(d.End()))
		orig := l.pc.src[l.off(d.Pos()):l.off(d.End())]
		l.edits = append(l.edits, edit{l.off(d.Pos()), l.off(d.End()), padLines(orig, fmt.Sprintf("defer func(%s) { __nmfkR.%s(%s) }(%s)",
			strings.Join(params, ", "), f.Sel.Name, strings.Join(inner, ", "), strings.Join(append([]string{x}, callArgs...), ", ")))})
		return
	case *ast.FuncLit:
		// A literal deferred in a loop gets the loop's variables it uses as
		// parameters, so it sees this iteration's (yaegi makes the closure
		// when it runs). It stays a literal deferred directly: recover and
		// named results work only so.
		if len(call.Args) > 0 || f.Type.Params.NumFields() > 0 || len(l.loops) == 0 {
			break
		}
		params, names := l.loopCaptures(f, l.loops[len(l.loops)-1])
		if len(params) == 0 {
			break
		}
		body := l.render(l.off(f.Body.Pos()), l.off(f.Body.End()))
		results := ""
		if f.Type.Results != nil {
			results = " " + l.pc.src[l.off(f.Type.Results.Pos()):l.off(f.Type.Results.End())]
		}
		fun = fmt.Sprintf("func(%s)%s %s", strings.Join(params, ", "), results, body)
		args = names
		moved = true
	}
	if !moved {
		return
	}
	if fun == "" {
		fun = l.render(l.off(call.Fun.Pos()), l.off(call.Fun.End()))
	}
	rest := strings.Join(args, ", ")
	if call.Ellipsis.IsValid() {
		rest += "..."
	}
	l.render(l.off(d.Pos()), l.off(d.End()))
	orig := l.pc.src[l.off(d.Pos()):l.off(d.End())]
	l.edits = append(l.edits, edit{l.off(d.Pos()), l.off(d.End()),
		padLines(orig, fmt.Sprintf("{ %sdefer %s(%s) }", strings.Join(pre, ""), fun, rest))})
}

// loopCaptures lists the variables declared in loop that lit uses and
// does not assign, as parameters (name type) and names.
func (l *lowering) loopCaptures(lit *ast.FuncLit, loop ast.Node) (params, names []string) {
	seen := map[types.Object]bool{}
	assigned := map[types.Object]bool{}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, e := range n.Lhs {
				if id, ok := ast.Unparen(e).(*ast.Ident); ok {
					assigned[l.info.Uses[id]] = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
				assigned[l.info.Uses[id]] = true
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
				assigned[l.info.Uses[id]] = true
			}
		}
		return true
	})
	var vars []*types.Var
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := l.info.Uses[id].(*types.Var)
		if !ok || seen[v] || v.Pos() < loop.Pos() || v.Pos() >= loop.End() || (v.Pos() >= lit.Pos() && v.Pos() < lit.End()) {
			return true
		}
		seen[v] = true
		vars = append(vars, v)
		return true
	})
	for _, v := range vars {
		if assigned[v] {
			return nil, nil
		}
		t, err := l.typeString(v.Type())
		if err != nil {
			return nil, nil
		}
		params = append(params, v.Name()+" "+t)
		names = append(names, v.Name())
	}
	return params, names
}

// lowerMethodValue evaluates a method value's receiver where the method
// value is written, as Go does (yaegi reads the receiver when the method
// value is called): x.M becomes func() F { r := x; return r.M }().
// Method expressions (T).M become function literals.
func (l *lowering) lowerMethodValue(sel *ast.SelectorExpr, called bool) {
	s := l.info.Selections[sel]
	if s == nil {
		return
	}
	// yaegi cannot call a method expression of an interface type at all
	// (I.M(x) is "too many arguments"), wherever the interface is from.
	ifaceExpr := s.Kind() == types.MethodExpr && types.IsInterface(s.Recv())
	if called && !ifaceExpr {
		return
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() != l.pkg && !ifaceExpr {
		return // only the session's own types need this
	}
	ft, err := l.typeString(l.info.TypeOf(sel))
	if err != nil {
		return
	}
	switch s.Kind() {
	case types.MethodVal:
		recv := fn.Type().(*types.Signature).Recv().Type()
		_, ptrRecv := recv.(*types.Pointer)
		_, ptrX := l.info.TypeOf(sel.X).Underlying().(*types.Pointer)
		if ptrRecv && !ptrX || types.IsInterface(l.info.TypeOf(sel.X)) {
			return // x.M binds &x, which a copy would not be
		}
		x := l.render(l.off(sel.X.Pos()), l.off(sel.X.End()))
		l.render(l.off(sel.Pos()), l.off(sel.End()))
		l.edits = append(l.edits, edit{l.off(sel.Pos()), l.off(sel.End()),
			fmt.Sprintf("func() %s { __nmfkRecv := %s; return __nmfkRecv.%s }()", ft, x, sel.Sel.Name)})
	case types.MethodExpr:
		sig := l.info.TypeOf(sel).(*types.Signature)
		var params, args []string
		for i := range sig.Params().Len() {
			t, err := l.typeString(sig.Params().At(i).Type())
			if err != nil {
				return
			}
			name := fmt.Sprintf("__nmfkP%d", i)
			if sig.Variadic() && i == sig.Params().Len()-1 {
				t = "..." + strings.TrimPrefix(t, "[]")
				name += "..."
				params = append(params, fmt.Sprintf("__nmfkP%d %s", i, t))
			} else {
				params = append(params, name+" "+t)
			}
			if i > 0 {
				args = append(args, name)
			}
		}
		res := ""
		if r := sig.Results(); r.Len() > 0 {
			rt, err := l.lowerTuple(r)
			if err != nil {
				return
			}
			res = " " + types.TypeString(rt, l.qualifier)
			if r.Len() == 1 {
				res = " " + strings.Trim(res[1:], "()")
			}
		}
		ret := ""
		if sig.Results().Len() > 0 {
			ret = "return "
		}
		l.render(l.off(sel.Pos()), l.off(sel.End()))
		l.edits = append(l.edits, edit{l.off(sel.Pos()), l.off(sel.End()),
			fmt.Sprintf("func(%s)%s { %s__nmfkP0.%s(%s) }", strings.Join(params, ", "), res, ret, sel.Sel.Name, strings.Join(args, ", "))})
	}
}
