package engine

// Types and generics, and the calls that need them. yaegi v0.16.1 cannot
// import the generic standard library (slices, maps, cmp, iter, errors'
// generic functions) nor infer type arguments everywhere Go does:
//
//   - a type is written as source yaegi understands (typeString):
//     instances of iter.Seq and friends by their underlying function types,
//     constraints such as cmp.Ordered by their type sets;
//   - calls of the generic library become calls of genericLib's reflective
//     implementations (genericlib.go, genericlabels.go) with type witnesses
//     and their results asserted to the inferred types;
//   - the cell's own generic calls, and min and max, get explicit type
//     arguments; a module's generic functions become calls of the
//     instantiations compiled into the kernel;
//   - errors.As into a cell type goes through a variable of the target's
//     own type (yaegi's interface wrapper hides the type from errors.As);
//   - len(p) and cap(p) of a pointer to an array are Go constants (p is
//     not evaluated, nil included); yaegi dereferences p. They become the
//     constant;
//   - calls of compiled code also get the rewrites of lower_stmt.go and
//     lower_fmt.go that concern their arguments.
//
//   - a type alias declared inside a function (type kv = map[string]int)
//     is undefined in yaegi: its uses name the aliased type instead and
//     the declaration goes (lowerLocalAliases).
//
// The cells' own generic functions and types mostly never reach yaegi's
// generics: they run as copies per instantiation (monomorph.go).

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// qualifier names a package in lowered code: the session's own package
// needs no name, an imported one its import name, any other a hidden
// import.
func (l *lowering) qualifier(p *types.Package) string {
	if p == l.pkg {
		return ""
	}
	for name, path := range l.pc.importsByName() {
		if path == p.Path() {
			return name
		}
	}
	for name, path := range l.s.imports {
		if path == p.Path() {
			return name
		}
	}
	alias := "__nmfkpkg_" + strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(p.Path())
	if l.hidden == nil {
		l.hidden = map[string]string{}
	}
	l.hidden[alias] = p.Path()
	return alias
}

var errUnexpressible = errors.New("the type cannot be named outside its package")

// typeString writes t as source the interpreter understands.
func (l *lowering) typeString(t types.Type) (string, error) {
	lt, err := l.lowerType(t)
	if err != nil {
		return "", err
	}
	return types.TypeString(lt, l.qualifier), nil
}

// lowerType replaces instances of the generic library types (iter.Seq)
// by their underlying types, and fails on types that cannot be named.
func (l *lowering) lowerType(t types.Type) (types.Type, error) {
	switch t := t.(type) {
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Pkg() != l.pkg {
			if _, generic := genericSources[obj.Pkg().Path()]; generic && t.TypeArgs().Len() > 0 {
				return l.lowerType(t.Underlying())
			}
			if isModuleGeneric(obj.Pkg().Path()) && t.TypeArgs().Len() > 0 {
				sym, ok := l.moduleInstance(obj.Pos(), obj, t.TypeArgs())
				if !ok {
					return nil, errUnexpressible
				}
				return types.NewNamed(types.NewTypeName(obj.Pos(), obj.Pkg(), sym, nil), t.Underlying(), nil), nil
			}
			if !obj.Exported() {
				return nil, errUnexpressible
			}
		}
		if t.TypeArgs().Len() > 0 {
			for i := range t.TypeArgs().Len() {
				if _, err := l.lowerType(t.TypeArgs().At(i)); err != nil {
					return nil, err
				}
			}
		}
		return t, nil
	case *types.Pointer:
		e, err := l.lowerType(t.Elem())
		return types.NewPointer(e), err
	case *types.Slice:
		e, err := l.lowerType(t.Elem())
		return types.NewSlice(e), err
	case *types.Array:
		e, err := l.lowerType(t.Elem())
		return types.NewArray(e, t.Len()), err
	case *types.Map:
		k, err := l.lowerType(t.Key())
		if err != nil {
			return nil, err
		}
		e, err := l.lowerType(t.Elem())
		return types.NewMap(k, e), err
	case *types.Chan:
		e, err := l.lowerType(t.Elem())
		return types.NewChan(t.Dir(), e), err
	case *types.Signature:
		p, err := l.lowerTuple(t.Params())
		if err != nil {
			return nil, err
		}
		r, err := l.lowerTuple(t.Results())
		return types.NewSignatureType(nil, nil, nil, p, r, t.Variadic()), err
	case *types.Struct:
		fields := make([]*types.Var, t.NumFields())
		tags := make([]string, t.NumFields())
		for i := range t.NumFields() {
			f := t.Field(i)
			ft, err := l.lowerType(f.Type())
			if err != nil {
				return nil, err
			}
			if !f.Exported() && f.Pkg() != l.pkg {
				return nil, errUnexpressible
			}
			fields[i] = types.NewField(f.Pos(), f.Pkg(), f.Name(), ft, f.Embedded())
			tags[i] = t.Tag(i)
			if !f.Exported() && !f.Embedded() {
				tags[i] = hiddenTag(tags[i]) // as hideUnexportedFields writes it
			}
		}
		return types.NewStruct(fields, tags), nil
	case *types.Basic:
		switch t.Kind() {
		case types.UntypedBool:
			return types.Typ[types.Bool], nil
		case types.UntypedInt:
			return types.Typ[types.Int], nil
		case types.UntypedRune:
			return types.Typ[types.Rune], nil
		case types.UntypedFloat:
			return types.Typ[types.Float64], nil
		case types.UntypedComplex:
			return types.Typ[types.Complex128], nil
		case types.UntypedString:
			return types.Typ[types.String], nil
		case types.UntypedNil:
			return nil, errUnexpressible
		}
	}
	return t, nil
}

func (l *lowering) lowerTuple(t *types.Tuple) (*types.Tuple, error) {
	vars := make([]*types.Var, t.Len())
	for i := range t.Len() {
		v := t.At(i)
		vt, err := l.lowerType(v.Type())
		if err != nil {
			return nil, err
		}
		vars[i] = types.NewParam(v.Pos(), v.Pkg(), "", vt)
	}
	return types.NewTuple(vars...), nil
}

// lowerGenericType replaces a use of iter.Seq[...] (a type yaegi cannot
// import) by its underlying function type.
func (l *lowering) lowerGenericType(e ast.Expr) bool {
	tv, ok := l.info.Types[e]
	if !ok || !tv.IsType() {
		return false
	}
	n, ok := tv.Type.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg() == l.pkg {
		return false
	}
	if isModuleGeneric(n.Obj().Pkg().Path()) && n.TypeArgs().Len() > 0 {
		if text, err := l.typeString(n); err == nil {
			l.replace(e.Pos(), e.End(), text)
		}
		return true
	}
	if _, generic := genericSources[n.Obj().Pkg().Path()]; !generic {
		return false
	}
	if n.TypeArgs().Len() == 0 {
		// A constraint such as cmp.Ordered: spell out its type set.
		if iface, ok := n.Underlying().(*types.Interface); ok && !iface.IsMethodSet() {
			l.replace(e.Pos(), e.End(), types.TypeString(iface, l.qualifier))
			return true
		}
		return false
	}
	text, err := l.typeString(n)
	if err != nil {
		return false
	}
	l.replace(e.Pos(), e.End(), text)
	return true
}

// calleeObject returns the function a call calls, and the identifier
// naming it.
func (l *lowering) calleeObject(fun ast.Expr) (*ast.Ident, types.Object) {
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		return f, l.info.Uses[f]
	case *ast.SelectorExpr:
		return f.Sel, l.info.Uses[f.Sel]
	case *ast.IndexExpr:
		return l.calleeObject(f.X)
	case *ast.IndexListExpr:
		return l.calleeObject(f.X)
	}
	return nil, nil
}

// lowerCall rewrites calls of generic functions: the generic library's
// become calls of genericLib; the cell's own get explicit type
// arguments, which yaegi needs; min and max get theirs too.
func (l *lowering) lowerCall(call *ast.CallExpr) {
	id, obj := l.calleeObject(call.Fun)
	if obj == nil {
		return
	}
	if b, ok := obj.(*types.Builtin); ok {
		if b.Name() == "print" || b.Name() == "println" {
			l.lowerPrint(call, b.Name())
			return
		}
		if b.Name() == "recover" {
			l.lowerRecover(call)
			return
		}
		if tv := l.info.Types[call]; (b.Name() == "len" || b.Name() == "cap") && tv.Value != nil && len(call.Args) == 1 {
			if _, isPtr := l.info.TypeOf(call.Args[0]).Underlying().(*types.Pointer); isPtr {
				// len(p) of a pointer to an array is a constant, p not
				// evaluated (a nil p included); yaegi dereferences it.
				l.render(l.off(call.Pos()), l.off(call.End()))
				l.replace(call.Pos(), call.End(), "int("+tv.Value.ExactString()+")")
				return
			}
		}
		if b.Name() == "make" && len(call.Args) >= 1 {
			if ch, ok := l.info.TypeOf(call).Underlying().(*types.Chan); ok && ch.Dir() != types.SendRecv {
				// yaegi's make of a send- or receive-only channel
				// type fails (reflect.MakeChan: unidirectional channel
				// type): a channel both ways, converted.
				t, err1 := l.typeString(l.info.TypeOf(call))
				e, err2 := l.typeString(ch.Elem())
				if err1 == nil && err2 == nil {
					size := ""
					if len(call.Args) > 1 {
						size = ", " + l.render(l.off(call.Args[1].Pos()), l.off(call.Args[1].End()))
					}
					l.render(l.off(call.Pos()), l.off(call.End()))
					l.replace(call.Pos(), call.End(), fmt.Sprintf("(%s)(make(chan %s%s))", t, parenType(e), size))
				}
				return
			}
		}
		if (b.Name() == "min" || b.Name() == "max") && l.info.Types[call].Value == nil {
			if t, err := l.typeString(l.info.TypeOf(call)); err == nil {
				l.insert(id.End(), "["+t+"]")
			}
		}
		return
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return
	}
	inst, isInstance := l.info.Instances[id]
	if l.lowerErrorsAs(call, fn, inst) {
		return
	}
	if fn.Pkg() != nil && fn.Pkg() != l.pkg {
		l.lowerTestLog(call, fn)
		l.lowerInteract(call, fn)
		l.parenthesizeResults(call)
		l.convertErrorArgs(call, fn)
		l.lowerContainersOfStringers(call, fn)
		l.lowerFormat(call, fn)
		l.checkXMLName(call, fn)
		if _, generic := genericSources[fn.Pkg().Path()]; generic && isGenericLibFunc(fn) {
			l.lowerGenericCall(call, fn, inst)
		}
		if isModuleGeneric(fn.Pkg().Path()) && isInstance && inst.TypeArgs.Len() > 0 {
			// lo.Map(xs, f) becomes a call of the instantiation compiled
			// in: lo.Map__0a1b2c3d4e(xs, f).
			if sym, ok := l.moduleInstance(call.Pos(), fn, inst.TypeArgs); ok {
				l.replace(call.Fun.Pos(), call.Lparen, l.qualifier(fn.Pkg())+"."+sym)
			}
		}
		return
	}
	if !isInstance || inst.TypeArgs.Len() == 0 {
		return
	}
	args := make([]string, inst.TypeArgs.Len())
	for i := range args {
		t, err := l.typeString(inst.TypeArgs.At(i))
		if err != nil {
			return
		}
		args[i] = t
	}
	list := "[" + strings.Join(args, ", ") + "]"
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.IndexExpr:
		l.replace(f.Lbrack, f.Rbrack+1, list)
	case *ast.IndexListExpr:
		l.replace(f.Lbrack, f.Rbrack+1, list)
	default:
		l.insert(call.Fun.End(), list)
	}
}

// isGenericLibFunc reports whether fn was declared by genericSources
// (rather than taken from yaegi's tables).
func isGenericLibFunc(fn *types.Func) bool {
	_, ok := genericLib[libName(fn)]
	return ok
}

// libName is fn's name in genericLib: package and name, capitalized.
func libName(fn *types.Func) string {
	p := fn.Pkg().Name()
	return strings.ToUpper(p[:1]) + p[1:] + fn.Name()
}

// lowerGenericCall rewrites a call of a generic library function.
func (l *lowering) lowerGenericCall(call *ast.CallExpr, fn *types.Func, inst types.Instance) {
	sig, ok := inst.Type.(*types.Signature)
	if !ok || inst.TypeArgs == nil {
		l.fail(call.Pos(), "calling %s.%s without calling it (write a function literal that calls it)", fn.Pkg().Name(), fn.Name())
		return
	}
	var args []string
	for i := range inst.TypeArgs.Len() {
		t, err := l.typeString(inst.TypeArgs.At(i))
		if err != nil {
			l.fail(call.Pos(), "%s.%s with a type argument of an unexported type", fn.Pkg().Name(), fn.Name())
			return
		}
		args = append(args, "(*"+t+")(nil)")
	}
	generic := fn.Type().(*types.Signature)
	params := sig.Params()
	for i, a := range call.Args {
		text := l.render(l.off(a.Pos()), l.off(a.End()))
		if sig.Variadic() && i >= params.Len()-1 && !call.Ellipsis.IsValid() {
			continue // gathered below
		}
		args = append(args, text)
	}
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		last := params.At(params.Len() - 1).Type()
		t, err := l.typeString(last)
		if err != nil {
			l.fail(call.Pos(), "%s.%s with values of an unexported type", fn.Pkg().Name(), fn.Name())
			return
		}
		var rest []string
		for i := params.Len() - 1; i < len(call.Args); i++ {
			rest = append(rest, l.pc.src[l.off(call.Args[i].Pos()):l.off(call.Args[i].End())])
		}
		args = append(args, t+"{"+strings.Join(rest, ", ")+"}")
	}
	text := "__nmfkernelGeneric." + libName(fn) + "(" + strings.Join(args, ", ") + ")"
	// Results whose declared type depends on a type parameter come back as
	// any and are asserted to their instantiated type.
	res := sig.Results()
	var dependent []bool
	anyDependent := false
	for i := range res.Len() {
		d := dependsOnTypeParams(generic.Results().At(i).Type())
		dependent = append(dependent, d)
		anyDependent = anyDependent || d
	}
	if anyDependent {
		var types_ []string
		for i := range res.Len() {
			t, err := l.typeString(res.At(i).Type())
			if err != nil {
				l.fail(call.Pos(), "%s.%s returning an unexported type", fn.Pkg().Name(), fn.Name())
				return
			}
			types_ = append(types_, t)
		}
		if res.Len() == 1 && !isInterface(res.At(0).Type()) {
			text += ".(" + types_[0] + ")"
		} else {
			var names, rets []string
			for i := range res.Len() {
				v := fmt.Sprintf("__r%d", i)
				names = append(names, v)
				if dependent[i] {
					rets = append(rets, fmt.Sprintf("__nmfkAs%d", i))
				} else {
					rets = append(rets, v)
				}
			}
			var conv strings.Builder
			for i := range res.Len() {
				if dependent[i] {
					fmt.Fprintf(&conv, "__nmfkAs%d, _ := __r%d.(%s); ", i, i, types_[i])
				}
			}
			text = fmt.Sprintf("func() (%s) { %s := %s; %sreturn %s }()", strings.Join(types_, ", "), strings.Join(names, ", "), text, conv.String(), strings.Join(rets, ", "))
		}
	}
	l.render(l.off(call.Pos()), l.off(call.End()))
	l.edits = append(l.edits, edit{l.off(call.Pos()), l.off(call.End()), text})
}

func isInterface(t types.Type) bool { _, ok := t.Underlying().(*types.Interface); return ok }

// dependsOnTypeParams reports whether t mentions a type parameter.
func dependsOnTypeParams(t types.Type) bool {
	switch t := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Named:
		for i := range t.TypeArgs().Len() {
			if dependsOnTypeParams(t.TypeArgs().At(i)) {
				return true
			}
		}
		return false
	case *types.Pointer:
		return dependsOnTypeParams(t.Elem())
	case *types.Slice:
		return dependsOnTypeParams(t.Elem())
	case *types.Array:
		return dependsOnTypeParams(t.Elem())
	case *types.Map:
		return dependsOnTypeParams(t.Key()) || dependsOnTypeParams(t.Elem())
	case *types.Chan:
		return dependsOnTypeParams(t.Elem())
	case *types.Signature:
		for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tu.Len() {
				if dependsOnTypeParams(tu.At(i).Type()) {
					return true
				}
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			if dependsOnTypeParams(t.Method(i).Type()) {
				return true
			}
		}
		for i := range t.NumEmbeddeds() {
			if dependsOnTypeParams(t.EmbeddedType(i)) {
				return true
			}
		}
	case *types.Struct:
		for i := range t.NumFields() {
			if dependsOnTypeParams(t.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// lowerErrorsAs rewrites errors.As and errors.AsType for a target of a
// type the cell's session declared: the standard library cannot see the
// methods of the interpreter's types, so the chain is unwrapped and each
// error asserted in interpreted code. It reports whether it rewrote call.
func (l *lowering) lowerErrorsAs(call *ast.CallExpr, fn *types.Func, inst types.Instance) bool {
	if fn.Pkg() == nil || fn.Pkg().Path() != "errors" || (fn.Name() != "As" && fn.Name() != "AsType") || len(call.Args) < 1 {
		return false
	}
	var target types.Type
	switch fn.Name() {
	case "As":
		if len(call.Args) != 2 {
			return false
		}
		p, ok := l.info.TypeOf(call.Args[1]).(*types.Pointer)
		if !ok {
			return false
		}
		target = p.Elem()
	case "AsType":
		if inst.TypeArgs == nil || inst.TypeArgs.Len() != 1 {
			return false
		}
		target = inst.TypeArgs.At(0)
	}
	if !l.sessionType(target) {
		return false
	}
	t, err := l.typeString(target)
	if err != nil {
		return false
	}
	errText := l.render(l.off(call.Args[0].Pos()), l.off(call.Args[0].End()))
	loop := fmt.Sprintf("__tree := __nmfkernel.ErrorTree(error(%s)); for _, __e := range __tree { if __t, __ok := __e.(%s); __ok { ", errText, t)
	// Not found, where compiled code (fmt.Errorf's %w, errors.Join) holds
	// a value of a cell type with methods: yaegi's wrapper kept only its
	// first field, so whether it was a t cannot be told; the cell stops
	// instead of answering false.
	notFound := fmt.Sprintf("__nmfkernel.CheckOpaqueErrors(__tree, %q); ", l.goTypeName(target, false))
	var text string
	if fn.Name() == "As" {
		ptr := l.render(l.off(call.Args[1].Pos()), l.off(call.Args[1].End()))
		text = fmt.Sprintf("func() bool { %s*(%s) = __t; return true } }; %sreturn false }()", loop, ptr, notFound)
	} else {
		text = fmt.Sprintf("func() (%s, bool) { %sreturn __t, true } }; %svar __z %s; return __z, false }()", t, loop, notFound, t)
	}
	l.render(l.off(call.Pos()), l.off(call.End()))
	l.edits = append(l.edits, edit{l.off(call.Pos()), l.off(call.End()), text})
	return true
}

// sessionType reports whether t is, or points to, a type the session
// declared (an interpreted type).
func (l *lowering) sessionType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() == l.pkg
}

// lowerLocalAliases replaces a type alias declared inside a function by
// the type it names, wherever it is used, and drops its declaration:
// yaegi v0.16.1 leaves a local alias undefined (func main() { type kv =
// map[string]int; m := kv{} } fails with "undefined: kv").
func (l *lowering) lowerLocalAliases() {
	var roots []ast.Node
	for _, d := range l.pc.decls {
		if !l.skip[d] {
			roots = append(roots, d)
		}
	}
	roots = append(roots, l.pc.body)
	for _, root := range roots {
		ast.Inspect(root, func(n ast.Node) bool {
			ds, ok := n.(*ast.DeclStmt)
			if !ok {
				return true
			}
			g, ok := ds.Decl.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				return true
			}
			for _, sp := range g.Specs {
				if ts := sp.(*ast.TypeSpec); !ts.Assign.IsValid() || ts.TypeParams != nil {
					return true // a declaration with other types: left as it is
				}
			}
			for _, sp := range g.Specs {
				ts := sp.(*ast.TypeSpec)
				obj := l.info.Defs[ts.Name]
				if obj == nil {
					return true
				}
				text := parenType(l.pc.src[l.off(ts.Type.Pos()):l.off(ts.Type.End())])
				for id, used := range l.info.Uses {
					if used == obj {
						l.replace(id.Pos(), id.End(), text)
					}
				}
			}
			start, end := l.off(ds.Pos()), l.off(ds.End())
			l.edits = append(l.edits, edit{start, end, padLines(l.pc.src[start:end], "")})
			return false
		})
	}
}
