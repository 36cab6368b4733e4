package engine

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// unsupportedError is code go/types accepts but the interpreter cannot
// run, with the way to write it instead.
type unsupportedError struct {
	pos string
	msg string
}

func (e *unsupportedError) Error() string {
	return e.pos + ": not supported by the interpreter: " + e.msg
}

// hoisted is a variable a cell's top-level statement declares: it becomes
// a package-level variable so that later cells see it.
type hoisted struct {
	name string
	typ  types.Type
	decl string // "var name T"
}

// lowering turns a type-checked cell into source yaegi runs the way Go
// would: statements in one function (so defer, scopes and order are
// Go's), top-level variables made package-level, and the constructs yaegi
// lacks (range over int and functions, calls of generic standard library
// functions, inferred type arguments) rewritten into ones it has. It works
// by text edits on the cell's file, which keep every line where it was.
type lowering struct {
	s     *Session
	pc    *parsedCell
	info  *types.Info
	pkg   *types.Package
	edits []edit
	n     int // counter for fresh names
	err   error

	hoisted []hoisted
	// unread are top-level error variables assigned and never read.
	unread []string
	// hidden are imports the lowered code needs that the cell did not
	// make (to name types), by alias.
	hidden map[string]string
	// skip marks declarations left out because they are unchanged.
	skip map[ast.Decl]bool
	// constant is the value of the cell's last expression when it is a
	// constant.
	constant []any
	// called marks selectors that are called (not method values).
	called map[*ast.SelectorExpr]bool
	// loops are the loops around the statement being lowered, in the
	// function being lowered.
	loops []ast.Node
	// sigs is the stack of enclosing function signatures.
	sigs []*types.Signature
	// commaOk marks type assertions used as v, ok := x.(T).
	commaOk map[*ast.TypeAssertExpr]bool
	// labeled marks statements that carry a label.
	labeled map[ast.Stmt]bool
	// inList marks statements directly in a block or a case's body.
	inList map[ast.Stmt]bool
	// missing are the instantiations of module generics the cell uses
	// that the kernel lacks.
	missing []Instance
}

func (l *lowering) fresh(kind string) string {
	l.n++
	return fmt.Sprintf("__nmfk%s%d_%d", kind, l.pc.seq, l.n)
}

func (l *lowering) off(p token.Pos) int { return l.pc.offset(p) }

func (l *lowering) replace(from, to token.Pos, text string) {
	l.edits = append(l.edits, edit{l.off(from), l.off(to), text})
}

func (l *lowering) insert(at token.Pos, text string) {
	l.edits = append(l.edits, edit{l.off(at), l.off(at), text})
}

func (l *lowering) fail(pos token.Pos, format string, args ...any) {
	if l.err == nil {
		l.err = &unsupportedError{pos: l.pc.fset.Position(pos).String(), msg: fmt.Sprintf(format, args...)}
	}
}

// render returns src[start:end] with the edits inside it applied, and
// drops those edits (the caller replaces the whole range).
func (l *lowering) render(start, end int) string {
	var inside, rest []edit
	for _, e := range l.edits {
		if e.start >= start && e.end <= end {
			inside = append(inside, e)
		} else {
			rest = append(rest, e)
		}
	}
	l.edits = rest
	out, err := applyEdits(l.pc.src[start:end], inside, start)
	if err != nil && l.err == nil {
		l.err = err
	}
	return out
}

// overlapError is two rewrites of a cell that overlap: the engine's bug,
// reported instead of running a cell with one of them silently dropped.
type overlapError struct{ offset int }

func (e *overlapError) Error() string {
	return fmt.Sprintf("internal error: two rewrites of this cell overlap (at offset %d of its lowered source), so it did not run; please report it with the cell", e.offset)
}

// applyEdits applies edits (offsets relative to base) to src. Edits must
// not overlap (one inside another is applied by render, which consumes
// the inner ones); an overlap is an *overlapError.
func applyEdits(src string, edits []edit, base int) (out string, err error) {
	// By start; at one start, insertions before the replacement that
	// starts there (showLast wraps a lowered call that way).
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return boolInt(a.end != a.start) - boolInt(b.end != b.start)
	})
	var b strings.Builder
	at := 0
	for _, e := range edits {
		s, t := e.start-base, e.end-base
		if s < at {
			if err == nil {
				err = &overlapError{offset: e.start}
			}
			continue
		}
		b.WriteString(src[at:s])
		b.WriteString(e.text)
		at = t
	}
	b.WriteString(src[at:])
	return b.String(), err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// padLines returns repl followed by as many newlines as orig has more, so
// that replacing orig keeps later lines in place.
func padLines(orig, repl string) string {
	if n := strings.Count(orig, "\n") - strings.Count(repl, "\n"); n > 0 {
		return repl + strings.Repeat("\n", n)
	}
	return repl
}

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

// lower computes the edits for the whole cell.
func (l *lowering) lower() {
	pc := l.pc
	// A blank import of a compiled package does nothing (its init ran
	// when the kernel started), and after one yaegi mishandles the
	// package's named imports in later cells: it gets a name of its own.
	for _, g := range pc.imports {
		for _, spec := range g.Specs {
			if imp := spec.(*ast.ImportSpec); imp.Name != nil && imp.Name.Name == "_" {
				l.replace(imp.Name.Pos(), imp.Name.End(), l.fresh("blank"))
			}
		}
	}
	l.commaOk = map[*ast.TypeAssertExpr]bool{}
	l.labeled = map[ast.Stmt]bool{}
	l.inList = map[ast.Stmt]bool{}
	for _, d := range pc.decls {
		l.markCommaOk(d)
	}
	l.markCommaOk(pc.body)
	for _, d := range pc.decls {
		if l.skip[d] {
			continue
		}
		l.walk(d)
	}
	l.sigs = []*types.Signature{types.NewSignatureType(nil, nil, nil, nil, nil, false)}
	for _, st := range pc.body.Body.List {
		l.walk(st)
	}
	l.markStatements()
	l.renameMainAndInit()
	l.hoist()
	l.lowerVarDecls()
	l.showLast()
	l.lowerImports()
}

// walk lowers the constructs inside n. Constructs whose lowering moves
// the text of their parts (calls of the generic library, go statements,
// ranges over functions) are lowered after their parts, so the parts'
// own edits are in the text they move.
func (l *lowering) walk(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if sig, ok := l.info.Defs[n.Name].Type().(*types.Signature); ok {
				l.sigs = append(l.sigs, sig)
				if n.Recv != nil {
					l.walk(n.Recv)
				}
				l.walk(n.Type)
				if n.Body != nil {
					l.walk(n.Body)
				}
				l.sigs = l.sigs[:len(l.sigs)-1]
			}
			return false
		case *ast.FuncLit:
			if sig, ok := l.info.TypeOf(n).(*types.Signature); ok {
				l.sigs = append(l.sigs, sig)
				loops := l.loops
				l.loops = nil
				l.walk(n.Type)
				l.walk(n.Body)
				l.loops = loops
				l.sigs = l.sigs[:len(l.sigs)-1]
			}
			return false
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				l.called[sel] = true
			}
			l.walkChildren(n)
			l.lowerCall(n)
			return false
		case *ast.RangeStmt:
			l.walkLoop(n)
			l.lowerRange(n)
			return false
		case *ast.ForStmt:
			l.walkLoop(n)
			l.lowerFor(n)
			return false
		case *ast.StructType:
			l.hideUnexportedFields(n)
		case *ast.AssignStmt:
			l.walkChildren(n)
			l.lowerAssign(n)
			return false
		case *ast.ReturnStmt:
			l.walkChildren(n)
			l.lowerReturn(n)
			return false
		case *ast.SwitchStmt:
			l.walkChildren(n)
			l.lowerNilSwitch(n)
			return false
		case *ast.TypeSwitchStmt:
			l.walkChildren(n)
			l.lowerTypeSwitch(n)
			return false
		case *ast.TypeAssertExpr:
			l.walkChildren(n)
			l.lowerTypeAssert(n)
			return false
		case *ast.BinaryExpr:
			l.walkChildren(n)
			l.lowerEquality(n)
			return false
		case *ast.GoStmt:
			l.walkChildren(n.Call)
			l.lowerGo(n)
			return false
		case *ast.DeferStmt:
			l.walkChildren(n.Call)
			l.lowerDefer(n)
			return false
		case *ast.IndexExpr, *ast.IndexListExpr:
			if l.lowerGenericType(n.(ast.Expr)) {
				return false
			}
		case *ast.SelectorExpr:
			if !l.lowerGenericType(n) {
				l.walkChildren(n)
				l.lowerMethodValue(n, l.called[n])
				return false
			}
		}
		return true
	})
}

// walkLoop walks a loop's parts with the loop on the loops stack.
func (l *lowering) walkLoop(loop ast.Node) {
	l.loops = append(l.loops, loop)
	l.walkChildren(loop)
	l.loops = l.loops[:len(l.loops)-1]
}

// walkChildren walks the direct children of n.
func (l *lowering) walkChildren(n ast.Node) {
	ast.Inspect(n, func(c ast.Node) bool {
		if c == n {
			return true
		}
		if c != nil {
			l.walk(c)
		}
		return false
	})
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
		l.parenthesizeResults(call)
		l.convertErrorArgs(call, fn)
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

// markStatements records, before each statement the cell runs, where it
// is: yaegi's own panic report names only the function a panic went
// through, at its first statement. Statements at the top of the cell set
// __nmfkTop, those in functions __nmfkAt (cells' functions), so a panic
// shows both the line that failed and the cell line that led to it. The
// value is the position as the interpreter reports it: line·1000+column.
func (l *lowering) markStatements() {
	mark := func(v string, st ast.Stmt) {
		p := l.pc.fset.Position(st.Pos())
		at := p.Line*1000 + min(p.Column, 999)
		if raceBuild && v == "__nmfkAt" {
			// Functions may run on several goroutines at once. The marker is
			// only read after a panic, so a plain store is a benign race;
			// under the race detector it is an atomic one.
			l.insert(st.Pos(), fmt.Sprintf("__nmfkernel.MarkAt(%d); ", at))
			return
		}
		l.insert(st.Pos(), fmt.Sprintf("%s = %d; ", v, at))
	}
	inFunc := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			var list []ast.Stmt
			switch n := n.(type) {
			case *ast.BlockStmt:
				list = n.List
			case *ast.CaseClause:
				list = n.Body
			case *ast.CommClause:
				list = n.Body
			}
			for _, st := range list {
				if _, ok := st.(*ast.LabeledStmt); ok {
					continue
				}
				switch st.(type) {
				case *ast.EmptyStmt, *ast.CaseClause, *ast.CommClause:
					continue
				}
				mark("__nmfkAt", st)
			}
			return true
		})
	}
	for _, d := range l.pc.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !l.skip[d] {
			inFunc(fd.Body)
		}
	}
	for _, st := range l.pc.body.Body.List {
		if _, ok := st.(*ast.LabeledStmt); !ok {
			mark("__nmfkTop", st)
		}
		ast.Inspect(st, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok {
				inFunc(lit.Body)
				return false
			}
			return true
		})
	}
}

// renameMainAndInit renames main and init, which yaegi would run on every
// later evaluation, and calls them once at the end of the cell as go run
// would: init functions first, then main.
func (l *lowering) renameMainAndInit() {
	var calls []string
	for _, d := range l.pc.decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || l.skip[d] {
			continue
		}
		switch fd.Name.Name {
		case "init":
			name := l.fresh("init")
			l.replace(fd.Name.Pos(), fd.Name.End(), name)
			calls = append(calls, name+"()")
		}
	}
	mainCalled := false
	for _, d := range l.pc.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			mainCalled = true
		}
	}
	for id, obj := range l.info.Defs {
		if f, ok := obj.(*types.Func); ok && f.Name() == "main" && f.Parent() == l.pkg.Scope() && l.inCell(id.Pos()) {
			l.replace(id.Pos(), id.End(), mainName)
		}
	}
	for id, obj := range l.info.Uses {
		if f, ok := obj.(*types.Func); ok && f.Name() == "main" && f.Parent() == l.pkg.Scope() && l.inCell(id.Pos()) {
			l.replace(id.Pos(), id.End(), mainName)
		}
	}
	if mainCalled {
		calls = append(calls, mainName+"()")
	}
	if len(calls) > 0 {
		l.edits = append(l.edits, edit{l.pc.mainCall, l.pc.mainCall, strings.Join(calls, "; ") + "; "})
	}
}

// mainName is what a cell's func main is called in the interpreter.
const mainName = "__nmfkernelMain"

func (l *lowering) inCell(p token.Pos) bool {
	return p.IsValid() && l.pc.tf.Base() <= int(p) && int(p) <= l.pc.tf.Base()+l.pc.tf.Size()
}

// hoist makes the variables the cell's top-level statements declare
// package-level, so later cells see them: x := f() becomes x = f() and a
// declaration var x T.
func (l *lowering) hoist() {
	assigned := map[*types.Var]token.Pos{} // error variables, where last assigned
	for _, st := range l.pc.body.Body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok {
			continue
		}
		if as.Tok == token.DEFINE {
			var vars []hoisted
			ok := true
			for _, lhs := range as.Lhs {
				id, isIdent := lhs.(*ast.Ident)
				if !isIdent {
					continue
				}
				obj, isNew := l.info.Defs[id].(*types.Var)
				if !isNew || obj == nil {
					continue
				}
				t, err := l.typeString(obj.Type())
				if err != nil {
					ok = false
					break
				}
				vars = append(vars, hoisted{name: id.Name, typ: obj.Type(), decl: "var " + id.Name + " " + t})
			}
			if !ok {
				continue // kept local to the cell: its type cannot be named
			}
			l.hoisted = append(l.hoisted, vars...)
			l.replace(as.TokPos, as.TokPos+2, "= ")
		}
		for _, lhs := range as.Lhs {
			if id, ok := lhs.(*ast.Ident); ok {
				v, _ := l.info.ObjectOf(id).(*types.Var)
				if v != nil && types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
					assigned[v] = as.End()
				}
			}
		}
	}
	// An error variable assigned at the top level and never read after is
	// reported when the cell ends, if it holds an error.
	lhs := map[*ast.Ident]bool{}
	ast.Inspect(l.pc.body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, e := range as.Lhs {
				if id, ok := e.(*ast.Ident); ok {
					lhs[id] = true
				}
			}
		}
		return true
	})
	for v, after := range assigned {
		read := false
		for id, obj := range l.info.Uses {
			if obj == v && !lhs[id] && id.Pos() > after && l.inCell(id.Pos()) {
				read = true
				break
			}
		}
		if !read && v.Name() != "_" {
			l.unread = append(l.unread, v.Name())
		}
	}
	slices.Sort(l.unread)
	if len(l.unread) > 0 {
		var b strings.Builder
		for _, name := range l.unread {
			fmt.Fprintf(&b, "__nmfkernel.Unread(%q, %s); ", name, name)
		}
		l.edits = append(l.edits, edit{l.pc.mainCall + len("/*__nmfkernelMain*/"), l.pc.mainCall + len("/*__nmfkernelMain*/"), b.String()})
	}
}

// lowerVarDecls turns package-level var declarations into declarations
// without values, whose values are assigned where the declaration stood
// among the cell's statements, so a notebook cell runs top to bottom. In a
// program (a cell with func main) they are assigned in Go's
// initialization order instead, before init and main run.
func (l *lowering) lowerVarDecls() {
	program := false
	for _, d := range l.pc.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			program = true
		}
	}
	own := map[types.Object]bool{}
	first := -1
	for _, d := range l.pc.decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			if m, ok := l.pc.varInits[g]; ok && first < 0 {
				first = m
			}
			for _, spec := range g.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					own[l.info.Defs[n]] = true
				}
			}
		}
	}
	var ordered []string
	if program {
		for _, in := range l.info.InitOrder {
			if len(in.Lhs) == 0 || !own[in.Lhs[0]] {
				continue
			}
			var names []string
			for _, v := range in.Lhs {
				names = append(names, v.Name())
			}
			ordered = append(ordered, strings.Join(names, ", ")+" = "+l.render(l.off(in.Rhs.Pos()), l.off(in.Rhs.End())))
		}
	}
	for _, d := range l.pc.decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		marker, ok := l.pc.varInits[g]
		if !ok {
			continue
		}
		var decls, assigns []string
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			var names []string
			for _, n := range vs.Names {
				names = append(names, n.Name)
				obj := l.info.Defs[n]
				if obj == nil {
					continue
				}
				t, err := l.typeString(obj.Type())
				if err != nil {
					l.fail(n.Pos(), "a package-level variable of a type that cannot be named outside its package")
					return
				}
				decls = append(decls, "var "+n.Name+" "+t)
				if len(vs.Values) == 0 && n.Name != "_" {
					assigns = append(assigns, n.Name+" = *new("+t+")")
				}
			}
			if len(vs.Values) > 0 && !program {
				vals := l.render(l.off(vs.Values[0].Pos()), l.off(vs.Values[len(vs.Values)-1].End()))
				assigns = append(assigns, strings.Join(names, ", ")+" = "+vals)
			}
		}
		orig := l.pc.src[l.off(g.Pos()):l.off(g.End())]
		l.render(l.off(g.Pos()), l.off(g.End()))
		if l.skip[d] {
			decls = nil // unchanged: only the values are assigned again
		}
		l.edits = append(l.edits, edit{l.off(g.Pos()), l.off(g.End()), padLines(orig, strings.Join(decls, "; "))})
		if program && marker == first {
			assigns = append(assigns, ordered...)
		}
		l.edits = append(l.edits, edit{marker, marker, strings.Join(assigns, "; ")})
	}
}

// showLast passes the value of the cell's last expression to the session.
func (l *lowering) showLast() {
	last := l.pc.last
	if last == nil || l.pc.quiet {
		return
	}
	tv, ok := l.info.Types[last.X]
	if !ok || !tv.IsValue() && !isTupleValue(tv.Type) {
		return
	}
	if tu, ok := tv.Type.(*types.Tuple); ok && tu.Len() == 0 {
		return
	}
	if v, ok := constantValue(tv); ok {
		// A constant: Go computed it while compiling.
		l.constant = []any{v}
		l.replace(last.X.Pos(), last.X.End(), "")
		return
	}
	fn := "__nmfkernelValue("
	if _, ok := ast.Unparen(last.X).(*ast.CallExpr); ok {
		fn = "__nmfkernelResult("
	}
	if _, isFunc := tv.Type.Underlying().(*types.Signature); isFunc {
		// A function value: Go prints only its address, yaegi its
		// internals; show its type (func(int, int) int, iter.Seq[int]).
		fn = "__nmfkernelFuncValue(" + strconv.Quote(l.goTypeName(tv.Type, false)) + ", "
	} else if l.isCellType(tv.Type) && hasMethods(tv.Type) {
		if ts, err := l.typeString(tv.Type); err == nil {
			fn = "__nmfkernelShow[" + ts + "]("
		}
	}
	l.insert(last.X.Pos(), fn)
	l.insert(last.X.End(), ",\n)")
}

func isTupleValue(t types.Type) bool {
	tu, ok := t.(*types.Tuple)
	return ok && tu.Len() > 0
}

// lowerImports leaves the cell's imports out of the interpreter's source:
// the session declares them to the interpreter itself (those it does not
// have yet, and none of the packages that exist only for the type checker).
func (l *lowering) lowerImports() {
	for _, g := range l.pc.imports {
		orig := l.pc.src[l.off(g.Pos()):l.off(g.End())]
		l.render(l.off(g.Pos()), l.off(g.End()))
		l.edits = append(l.edits, edit{l.off(g.Pos()), l.off(g.End()), padLines(orig, "")})
	}
}

func importPath(imp *ast.ImportSpec) string {
	return strings.Trim(imp.Path.Value, "\"`")
}

// importsByName returns the cell's own imports by name.
func (pc *parsedCell) importsByName() map[string]string {
	m := map[string]string{}
	for _, g := range pc.imports {
		for _, spec := range g.Specs {
			imp := spec.(*ast.ImportSpec)
			if name := importName(imp); name != "_" { // a blank import binds no name
				m[name] = importPath(imp)
			}
		}
	}
	return m
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
	errs := l.qualifier(fn.Pkg())
	errText := l.render(l.off(call.Args[0].Pos()), l.off(call.Args[0].End()))
	loop := fmt.Sprintf("for __e := error(%s); __e != nil; __e = %s.Unwrap(__e) { if __t, __ok := __e.(%s); __ok { ", errText, errs, t)
	var text string
	if fn.Name() == "As" {
		ptr := l.render(l.off(call.Args[1].Pos()), l.off(call.Args[1].End()))
		text = fmt.Sprintf("func() bool { %s*(%s) = __t; return true } }; return false }()", loop, ptr)
	} else {
		text = fmt.Sprintf("func() (%s, bool) { %sreturn __t, true } }; var __z %s; return __z, false }()", t, loop, t)
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

// lowerMethodValue evaluates a method value's receiver where the method
// value is written, as Go does (yaegi reads the receiver when the method
// value is called): x.M becomes func() F { r := x; return r.M }().
// Method expressions (T).M become function literals.
func (l *lowering) lowerMethodValue(sel *ast.SelectorExpr, called bool) {
	s := l.info.Selections[sel]
	if s == nil || called {
		return
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() != l.pkg {
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
