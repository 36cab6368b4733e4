package engine

// Interfaces: type switches, type assertions and comparisons, which
// yaegi v0.16.1 gets wrong in these ways (docs/engine.md reproduces each
// against plain yaegi):
//
//   - A method promoted from an interface embedded in a struct (s.Log,
//     with s a struct embedding a Logger) panics in yaegi with "invalid
//     interface value"; the selector names the path: s.Logger.Log.
//   - A case or assertion to the empty interface (case any:, x.(any))
//     never matches a value; it becomes x != nil.
//   - switch x.(type) { case P: } with P a named struct, slice, map, …
//     type never takes the case unless the switch binds a variable;
//     one is bound: switch __ts := x.(type). A case of a cell type with
//     methods is never taken for a value that was kept in a field, map
//     or slice (e.Data.(type)), so such a switch is rewritten into
//     assertions, which yaegi answers right, as interface cases are.
//   - A type switch case naming an interface (error, fmt.Stringer,
//     interface{ M() }) or an unnamed composite type (struct{ a, b int })
//     never matches, and a type assertion to an interface fails, or
//     panics, for a value of a cell type that implements it. A type switch
//     that needs it becomes a switch on conditions, switch __x := x; {
//     case …: }, and such a case or assertion becomes a test of each cell
//     type that implements the interface (yaegi asserts cell types
//     right), then of the interface itself (for compiled types).
//   - An interface holding a value of a cell type with methods never
//     equals another value: x == M(5) is false, and switch x { case
//     M(5): } takes no case. The comparison asserts the cell types that
//     have methods and compares the concrete values; such a switch
//     becomes a switch on those comparisons.
//   - Inside an interface yaegi erases the name of a cell type without
//     methods: a value of type P int asserts as an int and an int as a P,
//     and two cell struct types with the same fields are one. A type
//     switch, type assertion or comparison that asks for a cell type the
//     interface's value could be confused with (a case, or another cell
//     type that could be the value, of the same shape) is refused by name
//     before the cell runs. A cell type with methods is told apart by a
//     one-case type switch (tellsBySwitch), as long as the value kept its
//     type, which yaegi drops at some conversions to an interface:
//     those go through a call's argument (keepTypeInInterface).

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// markCommaOk records type assertions whose comma-ok form is used (v, ok
// := x.(T)), which lowerTypeAssert rewrites as a pair.
func (l *lowering) markCommaOk(root ast.Node) {
	bare := func(e ast.Expr) {
		if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			l.bareRecv[u] = true
		}
	}
	ast.Inspect(root, func(n ast.Node) bool {
		// Receives that are not a value of their own (see
		// lowerReceiveValue): statements and comma-ok forms. A select's
		// are never walked as expressions (walkSelect).
		switch n := n.(type) {
		case *ast.ExprStmt:
			bare(n.X)
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				bare(n.Rhs[0])
			}
		case *ast.ValueSpec:
			if len(n.Names) == 2 && len(n.Values) == 1 {
				bare(n.Values[0])
			}
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				if ta, ok := ast.Unparen(n.Rhs[0]).(*ast.TypeAssertExpr); ok {
					l.commaOk[ta] = true
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == 2 && len(n.Values) == 1 {
				if ta, ok := ast.Unparen(n.Values[0]).(*ast.TypeAssertExpr); ok {
					l.commaOk[ta] = true
				}
			}
		case *ast.LabeledStmt:
			l.labeled[n.Stmt] = n
		case *ast.BlockStmt:
			for _, st := range n.List {
				l.inList[st] = true
			}
		case *ast.CaseClause:
			for _, st := range n.Body {
				l.inList[st] = true
			}
		case *ast.CommClause:
			for _, st := range n.Body {
				l.inList[st] = true
			}
		}
		return true
	})
}

// cellTypes returns the cell-defined named types (not generic) visible
// at pos: the session's package-level types and the cell's local ones.
func (l *lowering) cellTypes(pos token.Pos) []*types.Named {
	var out []*types.Named
	add := func(obj types.Object) {
		tn, ok := obj.(*types.TypeName)
		if !ok || tn.IsAlias() {
			return
		}
		if n, ok := tn.Type().(*types.Named); ok && n.TypeParams().Len() == 0 && !isInterface(n) {
			out = append(out, n)
		}
	}
	scope := l.pkg.Scope()
	for _, name := range scope.Names() {
		add(scope.Lookup(name))
	}
	for id, obj := range l.info.Defs {
		if obj == nil || obj.Parent() == nil || obj.Parent() == scope || obj.Parent() == types.Universe {
			continue
		}
		if id.Pos() < pos && obj.Parent().Contains(pos) {
			add(obj)
		}
	}
	return out
}

// hasMethods reports whether T or *T has methods (for t *T: T's).
func hasMethods(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	return types.NewMethodSet(types.NewPointer(t)).Len() > 0
}

// implementers returns the cell types (T, *T) that implement iface and
// can be the dynamic value of an interface of type of.
func (l *lowering) implementers(iface *types.Interface, of types.Type, pos token.Pos) []types.Type {
	var out []types.Type
	for _, n := range l.cellTypes(pos) {
		for _, t := range []types.Type{n, types.NewPointer(n)} {
			if types.Implements(t, iface) && types.AssignableTo(t, of) {
				out = append(out, t)
			}
		}
	}
	return out
}

// erased writes t as yaegi sees it inside an interface: cell types by
// their underlying types, compiled named types by their names.
func (l *lowering) erased(t types.Type) string {
	var b strings.Builder
	l.writeErased(&b, t, 0)
	return b.String()
}

func (l *lowering) writeErased(b *strings.Builder, t types.Type, depth int) {
	if depth > 8 {
		b.WriteString("…")
		return
	}
	switch t := t.(type) {
	case *types.Alias:
		l.writeErased(b, types.Unalias(t), depth)
	case *types.Named:
		if t.Obj().Pkg() == l.pkg || (t.Obj().Pkg() != nil && t.Obj().Parent() != t.Obj().Pkg().Scope()) {
			l.writeErased(b, t.Underlying(), depth+1)
			return
		}
		b.WriteString(types.TypeString(t, nil))
	case *types.Pointer:
		b.WriteString("*")
		l.writeErased(b, t.Elem(), depth+1)
	case *types.Slice:
		b.WriteString("[]")
		l.writeErased(b, t.Elem(), depth+1)
	case *types.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		l.writeErased(b, t.Elem(), depth+1)
	case *types.Map:
		b.WriteString("map[")
		l.writeErased(b, t.Key(), depth+1)
		b.WriteString("]")
		l.writeErased(b, t.Elem(), depth+1)
	case *types.Chan:
		fmt.Fprintf(b, "chan%d ", t.Dir())
		l.writeErased(b, t.Elem(), depth+1)
	case *types.Struct:
		b.WriteString("struct{")
		for i := range t.NumFields() {
			f := t.Field(i)
			fmt.Fprintf(b, "%s ", strings.ToUpper(f.Name()[:1])+f.Name()[1:])
			l.writeErased(b, f.Type(), depth+1)
			b.WriteString(";")
		}
		b.WriteString("}")
	default:
		b.WriteString(types.TypeString(t, nil))
	}
}

// basicTypes are the predeclared types an empty interface may hold
// beside the cell's own.
var basicTypes = []types.BasicKind{types.Bool, types.Int, types.Int8, types.Int16, types.Int32, types.Int64,
	types.Uint, types.Uint8, types.Uint16, types.Uint32, types.Uint64, types.Uintptr,
	types.Float32, types.Float64, types.Complex64, types.Complex128, types.String}

// universe lists the types an interface of type of may hold that the
// lowering knows of at pos: probes, the cell's types, and for the empty
// interface the predeclared ones.
func (l *lowering) universe(pos token.Pos, of types.Type, probes []types.Type) []types.Type {
	universe := append([]types.Type(nil), probes...)
	for _, n := range l.cellTypes(pos) {
		for _, t := range []types.Type{n, types.NewPointer(n)} {
			if types.AssignableTo(t, of) {
				universe = append(universe, t)
			}
		}
	}
	if iface, ok := of.Underlying().(*types.Interface); ok && iface.Empty() {
		for _, k := range basicTypes {
			universe = append(universe, types.Typ[k])
		}
	}
	return universe
}

// checkTellable refuses the cell when yaegi cannot tell one of the probes
// (types the lowered code asserts to) from another type that an
// interface of type of may hold. what names the construct for the message.
func (l *lowering) checkTellable(pos token.Pos, of types.Type, probes []types.Type, what string) bool {
	if a, b, shape, ok := l.tellable(pos, of, probes); !ok {
		l.fail(pos, "%s: inside an interface the interpreter cannot tell %s from %s (both are %s to it), so the answer could differ from Go's; use a value of a concrete type here, or give one of them a shape of its own (a struct with a distinct field)", what, a, b, shape)
		return false
	}
	return true
}

// tellable is checkTellable without the refusal: when two types cannot
// be told apart, it names them and the shape yaegi sees.
func (l *lowering) tellable(pos token.Pos, of types.Type, probes []types.Type) (a, b, shape string, ok bool) {
	return l.tellableBy(pos, of, probes, true)
}

// tellableBy is tellable for probes asked by assertions only (bySwitch
// false: code the value reaches through compiled code, which drops the
// type a type switch needs), or by holds.
func (l *lowering) tellableBy(pos token.Pos, of types.Type, probes []types.Type, bySwitch bool) (a, b, shape string, ok bool) {
	universe := l.universe(pos, of, probes)
	for _, p := range probes {
		if isInterface(p) || !l.isCellType(p) || bySwitch && l.tellsBySwitch(p) {
			// A compiled type asserted for (x.(string)) is trusted: a
			// method-less cell type defined on it (type key string) could
			// pass for it, but refusing every such assertion would refuse
			// ctx.Value(key("k")).(string); docs/engine.md lists the gap.
			continue
		}
		pk := l.erased(p)
		for _, u := range universe {
			if types.Identical(p, u) || isInterface(u) || l.erased(u) != pk {
				continue
			}
			return types.TypeString(p, l.relative), types.TypeString(u, l.relative), pk, false
		}
	}
	return "", "", "", true
}

// tellsBySwitch reports whether yaegi tells t apart from every type of
// its shape inside an interface when asked by a type switch with t as its
// only case: a cell type with methods on its values (not a pointer: that
// case never matches). A type assertion is not enough: yaegi's
// x.(myint) holds for an int, x.(A) for any struct of A's fields. The
// switch needs the value to carry its type, which yaegi drops at some
// conversions to an interface (var a any = A{1}, any(x), return x from
// a function returning any): keepTypeInInterface makes those go through
// a call's argument, which keeps it.
func (l *lowering) tellsBySwitch(t types.Type) bool {
	if _, isPtr := t.(*types.Pointer); isPtr || isInterface(t) || !l.isCellType(t) {
		return false
	}
	if n, ok := t.(*types.Named); ok && n.TypeParams().Len() > 0 {
		return false
	}
	return types.NewMethodSet(t).Len() > 0
}

// sameShapeBeside reports whether an interface of type of may hold, at
// pos, a value of another type that yaegi sees with t's shape.
func (l *lowering) sameShapeBeside(pos token.Pos, of, t types.Type) bool {
	shape := l.erased(t)
	for _, u := range l.universe(pos, of, nil) {
		if !types.Identical(u, t) && !isInterface(u) && l.erased(u) == shape {
			return true
		}
	}
	return false
}

// holds returns the source of a test that x, a variable of interface
// type of, holds a value of type t, written tText.
func (l *lowering) holds(x string, of types.Type, pos token.Pos, t types.Type, tText string) string {
	if l.tellsBySwitch(t) && l.sameShapeBeside(pos, of, t) {
		return fmt.Sprintf("func() bool { switch %s.(type) { case %s: return true }; return false }()", x, tText)
	}
	if others := l.lookAlikes(pos, of, t); len(others) > 0 {
		// x.(int) holds for a value of type State int: ruled out first.
		return fmt.Sprintf("func() bool { switch %s.(type) { case %s: return false }; if %s == nil { return false }; _, __nmfkok := %s.(%s); return __nmfkok }()", x, strings.Join(others, ", "), x, x, tText)
	}
	return fmt.Sprintf("func() bool { if %s == nil { return false }; _, __nmfkok := %s.(%s); return __nmfkok }()", x, x, tText)
}

// lookAlikes lists, written as the cell writes them, the cell types with
// methods that an interface of type of may hold at pos and that yaegi
// would take for t, a type that is not a cell type (State int for int).
func (l *lowering) lookAlikes(pos token.Pos, of, t types.Type) []string {
	if isInterface(t) || l.isCellType(t) {
		return nil
	}
	shape := l.erased(t)
	var out []string
	for _, u := range l.universe(pos, of, nil) {
		if l.tellsBySwitch(u) && l.erased(u) == shape {
			if us, err := l.typeString(u); err == nil {
				out = append(out, us)
			}
		}
	}
	return out
}

// refuseInterfaceKeys refuses an index into, or a literal of, a map
// whose key type is an interface that a cell type with methods
// implements: yaegi hashes a value of such a type held in an interface by
// its record, so equal keys are different keys (a map[any]int counted
// P{1} twice).
func (l *lowering) refuseInterfaceKeys(m ast.Expr, pos token.Pos, keys ...ast.Expr) {
	t := l.info.TypeOf(m)
	if t == nil {
		return
	}
	mt, ok := t.Underlying().(*types.Map)
	if !ok || !isInterface(mt.Key()) {
		return
	}
	if _, isParam := mt.Key().(*types.TypeParam); isParam {
		return
	}
	cands := []types.Type{}
	for _, k := range keys {
		if kt := l.info.TypeOf(k); kt != nil {
			cands = append(cands, kt) // the cell's own keys first, for the message
		}
	}
	for _, n := range l.cellTypes(pos) {
		cands = append(cands, n)
	}
	for _, n := range cands {
		if l.tellsBySwitch(n) && types.AssignableTo(n, mt.Key()) {
			l.fail(pos, "a map keyed by %s, which may hold a %s: the interpreter hashes a value of a cell type with methods held in an interface by its own record, so equal keys would be different keys; key the map by a concrete type (map[%s]…), or by a string or number derived from the value", types.TypeString(mt.Key(), l.relative), types.TypeString(n, l.relative), types.TypeString(n, l.relative))
			return
		}
	}
}

// keepTypeInInterface passes e, converted to the interface type target,
// through a call's argument when its value is of a type tellsBySwitch
// asks by a type switch: yaegi drops the value's type at the conversion
// in an assignment, a declaration, a return or an explicit conversion,
// and keeps it in an argument.
func (l *lowering) keepTypeInInterface(e ast.Expr, target types.Type) {
	if target == nil || !isInterface(target) {
		return
	}
	if _, isParam := target.(*types.TypeParam); isParam {
		return
	}
	t := l.info.TypeOf(e)
	if t == nil {
		return
	}
	if l.guardNilPointer(e, t, target) || !l.tellsBySwitch(t) {
		return
	}
	ts, err := l.typeString(target)
	if err != nil {
		return
	}
	switch {
	case isEmptyInterface(target) && !isNamedNonAlias(target):
		l.insert(e.Pos(), "__nmfkernelKeepAny(")
	case types.Identical(target, types.Universe.Lookup("error").Type()):
		l.insert(e.Pos(), "__nmfkernelKeepError(")
	default:
		l.insert(e.Pos(), fmt.Sprintf("func(__nmfkv %s) %s { return __nmfkv }(", ts, ts))
	}
	l.insert(e.End(), ")")
}

// isNamedNonAlias reports whether t is a defined (named) type.
func isNamedNonAlias(t types.Type) bool {
	_, ok := t.(*types.Named)
	return ok
}

// guardNilPointer stops the cell where a nil pointer of a cell type is
// converted to a non-empty interface: Go keeps a typed nil there (an
// error holding a nil *E is not nil), yaegi stores a nil interface, so
// err == nil would answer true. It reports whether it guarded e.
func (l *lowering) guardNilPointer(e ast.Expr, t, target types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok || !l.isCellType(p) || !isInterface(target) || isEmptyInterface(target) {
		return false
	}
	if _, isParam := target.(*types.TypeParam); isParam {
		return false
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return false // &T{…}, &v: never nil
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && id.Name == "new" {
			if _, builtin := l.info.Uses[id].(*types.Builtin); builtin {
				return false
			}
		}
	}
	ps, err1 := l.typeString(t)
	ts, err2 := l.typeString(target)
	if err1 != nil || err2 != nil {
		return false
	}
	l.insert(e.Pos(), fmt.Sprintf("func(__nmfkp %s) %s { if __nmfkp == nil { panic(__nmfkernel.NilInInterface(%q, %q)) }; return __nmfkp }(", ps, ts, l.goTypeName(t, false), l.goTypeName(target, false)))
	l.insert(e.End(), ")")
	return true
}

// keepArgTypes applies keepTypeInInterface to a call's arguments and
// guardNilPointer to those of a compiled function (whose interface
// parameters yaegi fills the same way).
func (l *lowering) keepArgTypes(call *ast.CallExpr) {
	tv := l.info.Types[call.Fun]
	if tv.IsType() || tv.IsBuiltin() {
		return
	}
	sig, ok := tv.Type.(*types.Signature)
	if !ok || call.Ellipsis.IsValid() {
		return
	}
	n := sig.Params().Len()
	for i, a := range call.Args {
		var pt types.Type
		switch {
		case sig.Variadic() && i >= n-1:
			pt = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		case i < n:
			pt = sig.Params().At(i).Type()
		default:
			return
		}
		if t := l.info.TypeOf(a); t != nil {
			l.guardNilPointer(a, t, pt)
		}
	}
}

// isCellType reports whether t is a cell-defined named type or a pointer
// to one.
func (l *lowering) isCellType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && (n.Obj().Pkg() == l.pkg || n.Obj().Parent() != n.Obj().Pkg().Scope())
}

// relative writes the session's own types unqualified in messages.
func (l *lowering) relative(p *types.Package) string {
	if p == l.pkg {
		return ""
	}
	return p.Name()
}

// assertion returns the source of a test that x (a variable) holds a t,
// and of x's value as a t, for a type t written tText in the cell.
func (l *lowering) assertion(x string, xt, t types.Type, tText string, pos token.Pos) (cond, value string, ok bool) {
	if iface, isIface := t.Underlying().(*types.Interface); isIface {
		if iface.Empty() {
			// Every value but nil has the empty interface's methods;
			// yaegi's x.(interface{}) is false for its own values.
			return fmt.Sprintf("(%s != nil)", x), fmt.Sprintf("(%s)(%s)", tText, x), true
		}
		var c, v strings.Builder
		fmt.Fprintf(&c, "func() bool { if %s == nil { return false }; ", x)
		fmt.Fprintf(&v, "func() %s { ", tText)
		for _, impl := range l.implementers(iface, xt, pos) {
			it, err := l.typeString(impl)
			if err != nil {
				l.fail(pos, "a type assertion to %s, which the cell type %s implements, where the type cannot be named", tText, impl)
				return "", "", false
			}
			if l.tellsBySwitch(impl) && l.sameShapeBeside(pos, xt, impl) {
				test := l.holds(x, xt, pos, impl, it)
				fmt.Fprintf(&c, "if %s { return true }; ", test)
				fmt.Fprintf(&v, "if %s { return %s.(%s) }; ", test, x, it)
				continue
			}
			fmt.Fprintf(&c, "if _, __nmfkok := %s.(%s); __nmfkok { return true }; ", x, it)
			fmt.Fprintf(&v, "if __nmfkv, __nmfkok := %s.(%s); __nmfkok { return __nmfkv }; ", x, it)
		}
		fmt.Fprintf(&c, "_, __nmfkok := %s.(%s); return __nmfkok }()", x, tText)
		fmt.Fprintf(&v, "return %s.(%s) }()", x, tText)
		return c.String(), v.String(), true
	}
	return l.holds(x, xt, pos, t, tText), fmt.Sprintf("%s.(%s)", x, tText), true
}

// lowerTypeSwitch rewrites a type switch with an interface or unnamed
// composite case into a switch on conditions.
func (l *lowering) lowerTypeSwitch(sw *ast.TypeSwitchStmt) {
	var guard *ast.TypeAssertExpr
	var bound *ast.Ident
	switch a := sw.Assign.(type) {
	case *ast.ExprStmt:
		guard, _ = a.X.(*ast.TypeAssertExpr)
	case *ast.AssignStmt:
		guard, _ = a.Rhs[0].(*ast.TypeAssertExpr)
		bound, _ = a.Lhs[0].(*ast.Ident)
	}
	if guard == nil {
		return
	}
	xt := l.info.TypeOf(guard.X)
	if xt == nil {
		return
	}
	var probes []types.Type
	needed := false
	for _, c := range sw.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			tv := l.info.Types[e]
			if tv.IsNil() || tv.Type == nil {
				continue
			}
			if dependsOnTypeParams(tv.Type) {
				l.fail(e.Pos(), "a type switch case that depends on a type parameter (%s): the interpreter does not match it as Go does; switch in the generic function's caller, or compare reflect.TypeFor[%s]() with the value's type", types.TypeString(tv.Type, l.relative), types.TypeString(tv.Type, l.relative))
				return
			}
			probes = append(probes, tv.Type)
			switch u := tv.Type.(type) {
			case *types.Named, *types.Basic, *types.Alias:
				if iface, ok := u.Underlying().(*types.Interface); ok {
					needed = true
					if !iface.Empty() { // the empty one needs no telling apart
						probes = append(probes, l.implementers(iface, xt, sw.Pos())...)
					}
				} else if l.isCellType(u) && hasMethods(u) {
					// A value of a cell type with methods that was kept
					// in a field, map or slice never takes its case
					// (e.Data.(type)), though it asserts (e.Data.(Temp)).
					needed = true
				}
			default:
				needed = true
				if iface, ok := u.Underlying().(*types.Interface); ok && !iface.Empty() {
					probes = append(probes, l.implementers(iface, xt, sw.Pos())...)
				}
			}
		}
	}
	if !l.checkTellable(sw.Pos(), xt, probes, "this type switch") {
		return
	}
	if !needed {
		prefix := ""
		if _, bare := sw.Assign.(*ast.ExprStmt); bare {
			// switch x.(type) { case P: } with P a named struct (or
			// slice, map, …) type never takes the case in yaegi; with
			// a variable bound, switch v := x.(type), it does.
			prefix += l.fresh("ts") + " := "
		}
		if prefix != "" {
			l.insert(sw.Assign.Pos(), prefix)
		}
		return
	}
	if sw.Init != nil && l.labeled[sw] != nil {
		l.fail(sw.Pos(), "a labeled type switch with an init statement and an interface case (the interpreter never matches interface cases, and this form cannot be rewritten); move the init statement before the switch")
		return
	}
	x := l.fresh("x")
	guardText := l.render(l.off(guard.X.Pos()), l.off(guard.X.End()))
	header := fmt.Sprintf("switch %s := %s; ", x, guardText)
	if sw.Init != nil {
		init := l.render(l.off(sw.Init.Pos()), l.off(sw.Init.End()))
		header = "{ " + init + "; " + header
		l.insert(sw.Body.Rbrace+1, " }")
	}
	l.render(l.off(sw.Switch), l.off(sw.Body.Lbrace))
	l.edits = append(l.edits, edit{l.off(sw.Switch), l.off(sw.Body.Lbrace), header})
	for _, c := range sw.Body.List {
		cc := c.(*ast.CaseClause)
		value := x
		if len(cc.List) > 0 {
			var conds []string
			for _, e := range cc.List {
				tv := l.info.Types[e]
				if tv.IsNil() {
					conds = append(conds, x+" == nil")
					continue
				}
				tText := l.render(l.off(e.Pos()), l.off(e.End()))
				cond, v, ok := l.assertion(x, xt, tv.Type, tText, e.Pos())
				if !ok {
					return
				}
				conds = append(conds, cond)
				if len(cc.List) == 1 {
					value = v
				}
			}
			l.edits = append(l.edits, edit{l.off(cc.List[0].Pos()), l.off(cc.List[len(cc.List)-1].End()), strings.Join(conds, " || ")})
		}
		if bound != nil && bound.Name != "_" && l.info.Implicits[cc] != nil {
			l.insert(cc.Colon+1, fmt.Sprintf(" %s := %s; _ = %s;", bound.Name, value, bound.Name))
		}
	}
}

// lowerTypeAssert rewrites x.(I), I an interface that cell types
// implement, into tests of those types, and refuses an assertion the
// interpreter could answer wrongly.
func (l *lowering) lowerTypeAssert(ta *ast.TypeAssertExpr) {
	if ta.Type == nil {
		return // a type switch's guard
	}
	if l.lowerImpossibleAssert(ta) {
		return
	}
	xt, t := l.info.TypeOf(ta.X), l.info.TypeOf(ta.Type)
	if xt == nil || t == nil {
		return
	}
	probes := []types.Type{t}
	iface, isIface := t.Underlying().(*types.Interface)
	var impls []types.Type
	if isIface && !iface.Empty() {
		impls = l.implementers(iface, xt, ta.Pos())
		probes = append(probes, impls...)
	}
	if !l.checkTellable(ta.Pos(), xt, probes, "this type assertion") {
		return
	}
	// A cell type with methods that another type of its shape could be
	// confused with is asserted by a type switch (see tellsBySwitch).
	byConcrete := !isIface && (l.tellsBySwitch(t) && l.sameShapeBeside(ta.Pos(), xt, t) || len(l.lookAlikes(ta.Pos(), xt, t)) > 0)
	if len(impls) == 0 && !(isIface && iface.Empty()) && !byConcrete {
		return
	}
	tText := l.render(l.off(ta.Type.Pos()), l.off(ta.Type.End()))
	xText := l.render(l.off(ta.X.Pos()), l.off(ta.X.End()))
	l.render(l.off(ta.Pos()), l.off(ta.End()))
	xs, err := l.typeString(xt)
	if err != nil {
		l.fail(ta.Pos(), "a type assertion to an interface on a value whose type cannot be named here")
		return
	}
	x := l.fresh("x")
	cond, value, ok := l.assertion(x, xt, t, tText, ta.Pos())
	if !ok {
		return
	}
	if l.interfaceCallResult(ta.X) {
		xText = "(" + xs + ")(" + xText + ")" // see convertInterfaceResults
	}
	var text string
	switch {
	case l.commaOk[ta]:
		text = fmt.Sprintf("func(%s %s) (%s, bool) { if %s { return %s, true }; var __nmfkz %s; return __nmfkz, false }(%s)", x, xs, tText, cond, value, tText, xText)
	case byConcrete:
		// yaegi's own x.(T) would take a value of T's shape: fail as
		// Go fails, with its message.
		dyn, ok := l.typeNameBy(x, ta.Pos(), xt, true)
		if !ok {
			return
		}
		if dyn == "" {
			dyn = fmt.Sprintf("__nmfkernelFmt.Sprintf(\"%%T\", %s)", x)
		}
		iname, tname := strconv.Quote(l.goTypeName(xt, false)), strconv.Quote(l.goTypeName(t, false))
		text = fmt.Sprintf("func(%s %s) %s { if %s { return %s }; if %s == nil { panic(__nmfkernel.AssertionFailed(%s, \"\", %s)) }; panic(__nmfkernel.AssertionFailed(%s, %s, %s)) }(%s)",
			x, xs, tText, cond, value, x, iname, tname, iname, dyn, tname, xText)
	default:
		text = fmt.Sprintf("func(%s %s) %s { return %s }(%s)", x, xs, tText, value, xText)
	}
	l.edits = append(l.edits, edit{l.off(ta.Pos()), l.off(ta.End()), text})
}

// lowerImpossibleAssert rewrites any(x).(T) that a copy of generic code
// wrote for an x.(T) that can never hold (monomorph.impossible) into what
// Go's x.(T) does: false, or a panic naming x's interface.
func (l *lowering) lowerImpossibleAssert(ta *ast.TypeAssertExpr) bool {
	call, ok := ta.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	iname, ok := l.s.impossibleAsserts[positionKey(l.pc.fset.Position(call.Pos()))]
	if !ok {
		return false
	}
	t := l.info.TypeOf(ta.Type)
	xt := l.info.TypeOf(call.Args[0])
	if t == nil || xt == nil {
		return false
	}
	tText := l.render(l.off(ta.Type.Pos()), l.off(ta.Type.End()))
	xText := l.render(l.off(call.Args[0].Pos()), l.off(call.Args[0].End()))
	xs, err := l.typeString(xt)
	if err != nil {
		return false
	}
	l.render(l.off(ta.Pos()), l.off(ta.End()))
	x := l.fresh("x")
	var text string
	if l.commaOk[ta] {
		text = fmt.Sprintf("func(%s %s) (%s, bool) { var __nmfkz %s; return __nmfkz, false }(%s)", x, xs, tText, tText, xText)
	} else {
		dyn, ok := l.typeNameBy(x, ta.Pos(), xt, true)
		if !ok {
			return true
		}
		if dyn == "" {
			dyn = fmt.Sprintf("__nmfkernelFmt.Sprintf(\"%%T\", %s)", x)
		}
		tname := strconv.Quote(l.goTypeName(t, false))
		text = fmt.Sprintf("func(%s %s) %s { if %s == nil { panic(__nmfkernel.AssertionFailed(%q, \"\", %s)) }; panic(__nmfkernel.AssertionFailed(%q, %s, %s)) }(%s)",
			x, xs, tText, x, iname, tname, iname, dyn, tname, xText)
	}
	l.edits = append(l.edits, edit{l.off(ta.Pos()), l.off(ta.End()), text})
	return true
}

// positionKey writes a position as file:line:col, a key that a copy of
// generic code and the generic code share (copies carry //line
// directives).
func positionKey(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// lowerEquality rewrites == and != between interfaces, or an interface
// and a cell type with methods, into comparisons of concrete values.
func (l *lowering) lowerEquality(be *ast.BinaryExpr) {
	if be.Op != token.EQL && be.Op != token.NEQ {
		return
	}
	at, bt := l.info.TypeOf(be.X), l.info.TypeOf(be.Y)
	if at == nil || bt == nil || l.info.Types[be.X].IsNil() || l.info.Types[be.Y].IsNil() {
		return
	}
	eq := l.equalityFunc(be.Pos(), at, bt)
	if eq == "" {
		return
	}
	xText, yText := l.comparedText(be.X, at), l.comparedText(be.Y, bt)
	l.render(l.off(be.Pos()), l.off(be.End()))
	not := ""
	if be.Op == token.NEQ {
		not = "!"
	}
	l.edits = append(l.edits, edit{l.off(be.Pos()), l.off(be.End()), fmt.Sprintf("%s%s(%s, %s)", not, eq, xText, yText)})
}

// comparedText renders an operand of a comparison for equalityFunc's
// function. A call's result of a non-empty interface type passed straight
// to it would lose its dynamic type (see convertInterfaceResults):
// converted to its own type, it keeps it.
func (l *lowering) comparedText(e ast.Expr, t types.Type) string {
	text := l.render(l.off(e.Pos()), l.off(e.End()))
	if l.interfaceCallResult(e) {
		if ts, err := l.typeString(t); err == nil {
			text = "(" + ts + ")(" + text + ")"
		}
	}
	return text
}

// equalityFunc returns the source of a function that compares a value of
// type at with one of type bt as Go's == does, where yaegi's == could
// answer otherwise (interfaces holding values of cell types with
// methods), or "" where it answers right or the cell is refused.
func (l *lowering) equalityFunc(pos token.Pos, at, bt types.Type) string {
	_, ap := at.(*types.TypeParam)
	_, bp := bt.(*types.TypeParam)
	ai, bi := isInterface(at) && !ap, isInterface(bt) && !bp
	if ai && bp || bi && ap {
		l.fail(pos, "a comparison of an interface with a value of a type parameter: the interpreter does not compare them as Go does; convert the interface's value first (v, ok := x.(T)) outside the generic function, or compare two values of T")
		return ""
	}
	if !ai && !bi {
		return ""
	}
	withMethods := func(t types.Type) bool {
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := t.(*types.Named)
		return ok && hasMethods(n) && (n.Obj().Pkg() == l.pkg || n.Obj().Parent() != n.Obj().Pkg().Scope()) && n.TypeParams().Len() == 0
	}
	var cands []types.Type
	switch {
	case ai && bi:
		for _, n := range l.cellTypes(pos) {
			if !hasMethods(n) {
				continue
			}
			for _, t := range []types.Type{n, types.NewPointer(n)} {
				if types.Comparable(t) && types.AssignableTo(t, at) && types.AssignableTo(t, bt) {
					cands = append(cands, t)
				}
			}
		}
	case ai && withMethods(bt):
		cands = []types.Type{bt}
	case bi && withMethods(at):
		cands = []types.Type{at}
	}
	if len(cands) == 0 {
		return ""
	}
	iface := at
	if !ai {
		iface = bt
	}
	if !l.checkTellable(pos, iface, cands, "this comparison") {
		return ""
	}
	as, err1 := l.typeString(at)
	bs, err2 := l.typeString(bt)
	if err1 != nil || err2 != nil {
		return ""
	}
	var body strings.Builder
	switch {
	case ai && bi:
		body.WriteString("if __nmfka == nil || __nmfkb == nil { return __nmfka == nil && __nmfkb == nil }; ")
		for _, c := range cands {
			cs, err := l.typeString(c)
			if err != nil {
				return ""
			}
			if !l.tellsBySwitch(c) || !l.sameShapeBeside(pos, at, c) && !l.sameShapeBeside(pos, bt, c) {
				fmt.Fprintf(&body, "if __nmfkv, __nmfkok := __nmfka.(%s); __nmfkok { __nmfkw, __nmfkok := __nmfkb.(%s); return __nmfkok && __nmfkv == __nmfkw }; ", cs, cs)
				fmt.Fprintf(&body, "if _, __nmfkok := __nmfkb.(%s); __nmfkok { return false }; ", cs)
				continue
			}
			inA, inB := l.holds("__nmfka", at, pos, c, cs), l.holds("__nmfkb", bt, pos, c, cs)
			fmt.Fprintf(&body, "if %s { return %s && __nmfka.(%s) == __nmfkb.(%s) }; ", inA, inB, cs, cs)
			fmt.Fprintf(&body, "if %s { return false }; ", inB)
		}
		body.WriteString("return __nmfka == __nmfkb")
	case ai && l.tellsBySwitch(bt) && l.sameShapeBeside(pos, at, bt):
		fmt.Fprintf(&body, "return %s && __nmfka.(%s) == __nmfkb", l.holds("__nmfka", at, pos, bt, bs), bs)
	case ai:
		fmt.Fprintf(&body, "if __nmfka == nil { return false }; __nmfkv, __nmfkok := __nmfka.(%s); return __nmfkok && __nmfkv == __nmfkb", bs)
	case l.tellsBySwitch(at) && l.sameShapeBeside(pos, bt, at):
		fmt.Fprintf(&body, "return %s && __nmfka == __nmfkb.(%s)", l.holds("__nmfkb", bt, pos, at, as), as)
	default:
		fmt.Fprintf(&body, "if __nmfkb == nil { return false }; __nmfkv, __nmfkok := __nmfkb.(%s); return __nmfkok && __nmfka == __nmfkv", as)
	}
	return fmt.Sprintf("func(__nmfka %s, __nmfkb %s) bool { %s }", as, bs, body.String())
}

// interfaceCallResult reports whether e is a call (not a conversion)
// whose result is of a non-empty interface type.
func (l *lowering) interfaceCallResult(e ast.Expr) bool {
	call, isCall := ast.Unparen(e).(*ast.CallExpr)
	if !isCall || l.info.Types[call.Fun].IsType() {
		return false
	}
	t := l.info.TypeOf(e)
	return t != nil && isInterface(t) && !isEmptyInterface(t)
}

// isEmptyInterface reports whether t is an interface without methods.
func isEmptyInterface(t types.Type) bool {
	iface, ok := t.Underlying().(*types.Interface)
	return ok && iface.Empty()
}

// explicitInterfacePromotion writes out the embedded fields a method
// selector goes through when the method comes from an embedded interface
// (s.Log → s.Logger.Log), which yaegi calls right.
func (l *lowering) explicitInterfacePromotion(sel *ast.SelectorExpr) {
	selection := l.info.Selections[sel]
	if selection == nil || selection.Kind() != types.MethodVal || len(selection.Index()) < 2 {
		return
	}
	t := selection.Recv()
	var path []string
	for _, i := range selection.Index()[:len(selection.Index())-1] {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			return
		}
		f := st.Field(i)
		path = append(path, f.Name())
		t = f.Type()
	}
	if !isInterface(t) {
		return // promoted from a concrete type: yaegi gets those right
	}
	l.insert(sel.X.End(), "."+strings.Join(path, "."))
}
