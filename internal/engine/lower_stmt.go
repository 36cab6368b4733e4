package engine

// Statements and assignments yaegi v0.16.1 runs differently from Go,
// rewritten into forms it runs right. Each rewrite names the yaegi
// behaviour it works around (docs/engine.md has a reproduction of each
// against plain yaegi), so it can go when yaegi is fixed:
//
//   - print and println write to standard output in yaegi; Go's write to
//     standard error. They become calls of a helper that formats as the
//     runtime does and writes to the cell's stderr.
//   - for k, v = range x (assignment, not declaration) never assigns k or
//     v in yaegi. The loop declares fresh variables and assigns them at
//     the top of the body.
//   - x = f() where f has named results: yaegi lets f's named results
//     share x's storage, so they start from x's value instead of zero
//     (the same for return f() in a function with named results). The
//     call is parenthesized, which yaegi evaluates into a fresh slot.
//   - a, b := f(), T{…}, m, ok := T{…}, true, var g, h = T{…}, 2: with a
//     composite literal on the right, yaegi assigns zero values for the
//     others. The right side becomes one call of a function literal
//     returning the values.
//   - v, ok = m[k] with v of another type than the map's elements (an
//     interface): yaegi stores the zero as a nil interface (or, for a
//     non-empty interface, one whose methods panic). The index becomes a
//     function literal returning the element's own type (the interface,
//     for a non-empty one).
//   - P(G()) with G returning a non-empty interface and P interpreted:
//     yaegi passes the result wrapped once more, so that assertions to
//     its concrete type fail inside P. The argument is converted to its
//     own type, P((I)(G())).
//   - f(g()) with f compiled and g returning a cell type with methods:
//     yaegi passes g's result without its methods (fmt ignores String);
//     the argument is parenthesized, which yaegi passes with them.
//   - fmt.Errorf("%w", &MyErr{}), a cell error passed as any to fmt or
//     log: yaegi passes it without its Error method; it is converted to
//     error by a function literal first.
//   - recover() returns a compiled panic value as a reflect.Value in
//     yaegi; a helper unwraps it.
//   - an unexported field of a cell struct: yaegi renames it (a → Xa),
//     and encoding/json and encoding/xml marshal it; it is tagged
//     json:"-" xml:"-", as Go's packages treat unexported fields.
//   - switch x { case nil: … } with x a slice, map, function, pointer or
//     channel: yaegi never takes the nil case. The switch compares x
//     itself: switch __t := x; { case __t == nil: … }.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strconv"
	"strings"
)

// lowerPrint sends the print and println builtins to the cell's stderr.
func (l *lowering) lowerPrint(call *ast.CallExpr, name string) {
	newline := name == "println"
	args := make([]string, 0, len(call.Args))
	for _, a := range call.Args {
		text := l.render(l.off(a.Pos()), l.off(a.End()))
		if t := l.info.TypeOf(a); t != nil && l.isCellType(t) {
			// A cell type with methods would reach the helper as yaegi's
			// wrapper: pass its value as its underlying basic type.
			if b, ok := t.Underlying().(*types.Basic); ok {
				text = b.Name() + "(" + text + ")"
			}
		}
		args = append(args, text)
	}
	l.render(l.off(call.Pos()), l.off(call.End()))
	text := fmt.Sprintf("__nmfkernelPrint(%t", newline)
	if len(args) > 0 {
		text += ", " + strings.Join(args, ", ")
	}
	l.edits = append(l.edits, edit{l.off(call.Pos()), l.off(call.End()), text + ")"})
}

// lowerRangeAssign rewrites for k, v = range x { … } (not over an
// integer or a function, which have lowerings of their own) into
// for __k, __v := range x { k, v = __k, __v; … }.
func (l *lowering) lowerRangeAssign(rs *ast.RangeStmt) {
	if rs.Tok != token.ASSIGN || rs.Key == nil {
		return
	}
	var fresh, targets []string
	for _, e := range []ast.Expr{rs.Key, rs.Value} {
		if e == nil {
			continue
		}
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			fresh = append(fresh, "_")
			continue
		}
		name := l.fresh("r")
		fresh = append(fresh, name)
		targets = append(targets, l.render(l.off(e.Pos()), l.off(e.End()))+" = "+name)
	}
	if len(targets) == 0 {
		return
	}
	if rs.Value != nil && l.needsTwoPhases([]ast.Expr{rs.Key, rs.Value}) {
		text, ok := l.twoPhases([]ast.Expr{rs.Key, rs.Value}, fresh)
		if !ok {
			l.fail(rs.Pos(), "for k, v = range with targets that depend on one another, whose types cannot be named here")
			return
		}
		targets = []string{text}
	}
	l.replace(rs.Key.Pos(), rs.TokPos+1, strings.Join(fresh, ", ")+" :=")
	var b strings.Builder
	for _, t := range targets {
		b.WriteString(" " + t + ";")
	}
	l.insert(rs.Body.Lbrace+1, b.String())
}

// lowerAssign applies the assignment rewrites: named results, calls
// beside composite literals, and comma-ok map indexes.
func (l *lowering) lowerAssign(as *ast.AssignStmt) {
	if len(as.Lhs) == len(as.Rhs) && (as.Tok == token.ASSIGN || as.Tok == token.DEFINE) {
		for i, lhs := range as.Lhs {
			l.keepTypeInInterface(as.Rhs[i], l.info.TypeOf(lhs))
		}
	}
	if l.lowerParallelAssign(as) {
		return
	}
	switch {
	case as.Tok == token.ASSIGN && len(as.Lhs) == 1 && len(as.Rhs) == 1:
		l.parenthesizeCall(as.Rhs[0])
	case len(as.Lhs) == 2 && len(as.Rhs) == 1 && (as.Tok == token.ASSIGN || as.Tok == token.DEFINE):
		l.lowerCommaOkIndex(as)
		l.lowerCommaOkReceive(as)
	case len(as.Rhs) > 1 && len(as.Rhs) == len(as.Lhs) && (as.Tok == token.ASSIGN || as.Tok == token.DEFINE):
		l.lowerCallBesideLiteral(as.Rhs, as.Lhs, as.Tok == token.DEFINE)
	}
}

// lowerReturn parenthesizes return f() in a function with named results.
func (l *lowering) lowerReturn(rs *ast.ReturnStmt) {
	if len(l.sigs) == 0 {
		return
	}
	res := l.sigs[len(l.sigs)-1].Results()
	if len(rs.Results) == res.Len() {
		for i, r := range rs.Results {
			l.keepTypeInInterface(r, res.At(i).Type())
		}
	}
	if len(rs.Results) != 1 {
		return
	}
	if res.Len() == 0 || res.At(0).Name() == "" {
		return
	}
	l.parenthesizeCall(rs.Results[0])
}

// parenthesizeCall wraps e in parentheses when it is a call of a function
// whose results are named.
func (l *lowering) parenthesizeCall(e ast.Expr) {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return
	}
	sig, ok := l.info.TypeOf(call.Fun).Underlying().(*types.Signature)
	if !ok || l.info.Types[call.Fun].IsType() || sig.Results().Len() == 0 || sig.Results().At(0).Name() == "" {
		return
	}
	l.insert(call.Pos(), "(")
	l.insert(call.End(), ")")
}

// parenthesizeResults wraps the arguments of a call of compiled code that
// are calls returning a cell type with methods in parentheses: yaegi
// hands compiled code a call's result without its methods
// (fmt.Println(reverse(h)) ignored String), a parenthesized one with them.
func (l *lowering) parenthesizeResults(call *ast.CallExpr) {
	for _, a := range call.Args {
		c, ok := a.(*ast.CallExpr)
		if !ok {
			continue
		}
		if t := l.info.TypeOf(c); t != nil && l.isCellType(t) && hasMethods(t) {
			l.insert(c.Pos(), "(")
			l.insert(c.End(), ")")
		}
	}
}

// convertErrorArgs passes a cell type that implements error to fmt's and
// log's any parameters as an error: yaegi hands compiled code such a value
// without its Error method (fmt.Errorf("%w", &MyErr{}) printed
// %!w(*struct {…})), and an error made by a function literal with it.
func (l *lowering) convertErrorArgs(call *ast.CallExpr, fn *types.Func) {
	if p := fn.Pkg().Path(); p != "fmt" && p != "log" {
		return
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return
	}
	errType := types.Universe.Lookup("error").Type()
	for i, a := range call.Args {
		var pt types.Type
		switch n := sig.Params().Len(); {
		case sig.Variadic() && i >= n-1:
			if call.Ellipsis.IsValid() {
				continue
			}
			pt = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		case i < n:
			pt = sig.Params().At(i).Type()
		default:
			continue
		}
		iface, ok := pt.Underlying().(*types.Interface)
		if !ok || !iface.Empty() {
			continue
		}
		t := l.info.TypeOf(a)
		if t == nil || !l.isCellType(t) || !types.Implements(t, errType.Underlying().(*types.Interface)) {
			continue
		}
		l.insert(a.Pos(), "func(__nmfke error) error { return __nmfke }(")
		l.insert(a.End(), ")")
	}
}

// lowerRecover unwraps what recover returns: yaegi returns a panic value
// of a compiled type (fmt.Errorf's error) as a reflect.Value, which is
// then no error to r.(error).
func (l *lowering) lowerRecover(call *ast.CallExpr) {
	l.insert(call.Pos(), "__nmfkernel.Recovered(")
	l.insert(call.End(), ")")
}

// tagPair matches one key:"value" pair of a struct tag.
var tagPair = regexp.MustCompile(`([^\s:"]+):"((?:[^"\\]|\\.)*)"`)

// hideUnexportedFields tags a cell struct's unexported fields json:"-"
// xml:"-": yaegi builds the struct with reflect.StructOf, which takes
// exported fields only, so it renames field a to Xa, which encoding/json
// and encoding/xml then marshal ({"Xa":1}) where Go leaves it out.
// Embedded fields are left alone (their exported fields are promoted).
func (l *lowering) hideUnexportedFields(st *ast.StructType) {
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 || f.Names[0].IsExported() {
			continue
		}
		old := ""
		if f.Tag != nil {
			var err error
			if old, err = strconv.Unquote(f.Tag.Value); err != nil {
				continue
			}
		}
		tag := hiddenTag(old)
		text := "`" + tag + "`"
		if strings.Contains(tag, "`") {
			text = strconv.Quote(tag)
		}
		if f.Tag != nil {
			l.replace(f.Tag.Pos(), f.Tag.End(), text)
		} else {
			l.insert(f.Type.End(), " "+text)
		}
	}
}

// hiddenTag is an unexported field's tag with json:"-" xml:"-" in place
// of its json and xml keys (the same text wherever the struct is written:
// in the cell, or by the lowering from its type).
func hiddenTag(tag string) string {
	var pairs []string
	for _, m := range tagPair.FindAllStringSubmatch(tag, -1) {
		if m[1] != "json" && m[1] != "xml" {
			pairs = append(pairs, m[0])
		}
	}
	return strings.Join(append(pairs, `json:"-"`, `xml:"-"`), " ")
}

// lowerCallBesideLiteral rewrites a, b := f(), T{…} (or any other value
// beside a composite literal: a, b := T{…}, true) into
// a, b := func() (A, B) { return f(), T{…} }(). yaegi v0.16.1 assigns
// the zero value for the values beside a composite literal.
func (l *lowering) lowerCallBesideLiteral(rhs, lhs []ast.Expr, define bool) {
	var hasLiteral bool
	for _, e := range rhs {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.CompositeLit:
				hasLiteral = true
			case *ast.FuncLit:
				return false
			}
			return true
		})
	}
	if !hasLiteral || len(rhs) < 2 {
		return
	}
	var results []string
	for i, e := range rhs {
		t := l.info.TypeOf(e)
		if !define {
			// The values convert to the targets' types, as assignment would.
			if lt := l.info.TypeOf(lhs[i]); lt != nil {
				t = lt
			}
		}
		if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
			t = types.Default(t)
		}
		if id, ok := lhs[i].(*ast.Ident); ok && id.Name == "_" {
			t = types.Default(l.info.TypeOf(e))
		}
		ts, err := l.typeString(t)
		if err != nil || t == nil || t == types.Typ[types.UntypedNil] {
			return
		}
		results = append(results, ts)
	}
	from, to := l.off(rhs[0].Pos()), l.off(rhs[len(rhs)-1].End())
	body := l.render(from, to)
	l.edits = append(l.edits, edit{from, to, fmt.Sprintf("func() (%s) { return %s }()", strings.Join(results, ", "), body)})
}

// lowerCommaOkIndex rewrites v, ok = m[k] when v's type is not the
// element type into v, ok = func() (E, bool) { x, y := m[k]; return x, y }().
func (l *lowering) lowerCommaOkIndex(as *ast.AssignStmt) {
	ix, ok := ast.Unparen(as.Rhs[0]).(*ast.IndexExpr)
	if !ok {
		return
	}
	m, ok := l.info.TypeOf(ix.X).Underlying().(*types.Map)
	if !ok {
		return
	}
	if lt := l.info.TypeOf(as.Lhs[0]); lt == nil || types.Identical(lt, m.Elem()) {
		return // the blank identifier, or the element's own type
	}
	rt := m.Elem()
	if lt := l.info.TypeOf(as.Lhs[0]); isInterface(lt) && !isEmptyInterface(lt) && !isInterface(rt) {
		// The element converted to the interface inside the function:
		// yaegi's tuple assignment of a concrete value to an interface
		// variable leaves it unusable (a nil dereference at its use).
		rt = lt
	}
	et, err := l.typeString(rt)
	if err != nil {
		return
	}
	l.commaOkCall(as.Rhs[0], et)
}

// commaOkCall replaces a comma-ok expression (an index, a receive) with a
// call that returns its pair as (T, bool), taken into new variables:
// func() (T, bool) { v, ok := e; return v, ok }().
func (l *lowering) commaOkCall(e ast.Expr, t string) {
	from, to := l.off(e.Pos()), l.off(e.End())
	v, okName := l.fresh("v"), l.fresh("ok")
	text := l.render(from, to)
	l.edits = append(l.edits, edit{from, to, fmt.Sprintf("func() (%s, bool) { %s, %s := %s; return %s, %s }()", t, v, okName, text, v, okName)})
}

// lowerReceiveValue converts a received value to its own type, T(<-c):
// yaegi stores a value received into a variable so that its address
// cannot be taken (x := <-c; p := &x, or a method with a pointer receiver
// called on it, fails: "reflect.Value.Addr of unaddressable value"), and
// a function returning <-c fails where its result is assigned; the
// conversion's value is stored as any other. Interface values are left
// alone (a conversion is where yaegi drops the dynamic type of cell
// values, see keepTypeInInterface).
func (l *lowering) lowerReceiveValue(u *ast.UnaryExpr) {
	if l.bareRecv[u] {
		return
	}
	t := l.info.TypeOf(u)
	if t == nil || isInterface(t) {
		return
	}
	if _, tuple := t.(*types.Tuple); tuple {
		return
	}
	ts, err := l.typeString(t)
	if err != nil {
		return
	}
	l.insert(u.Pos(), "("+ts+")(")
	l.insert(u.End(), ")")
}

// lowerCommaOkReceive rewrites v, ok = <-c (existing variables), which
// yaegi fails ("reflect: call of reflect.Value.SetBool on chan Value"),
// into a call returning the pair received into new variables:
// v, ok = func() (T, bool) { v, ok := <-c; return v, ok }().
func (l *lowering) lowerCommaOkReceive(as *ast.AssignStmt) {
	u, ok := ast.Unparen(as.Rhs[0]).(*ast.UnaryExpr)
	if !ok || u.Op != token.ARROW || as.Tok != token.ASSIGN {
		return
	}
	ch, ok := l.info.TypeOf(u.X).Underlying().(*types.Chan)
	if !ok {
		return
	}
	et, err := l.typeString(ch.Elem())
	if err != nil {
		return
	}
	l.commaOkCall(as.Rhs[0], et)
}

// lowerNilSwitch rewrites a switch on a slice, map, function, pointer or
// channel with a nil case into a switch on conditions.
func (l *lowering) lowerNilSwitch(sw *ast.SwitchStmt) {
	if l.lowerInterfaceSwitch(sw) {
		return
	}
	if sw.Tag == nil {
		return
	}
	tt := l.info.TypeOf(sw.Tag)
	if tt == nil {
		return
	}
	switch tt.Underlying().(type) {
	case *types.Slice, *types.Map, *types.Signature, *types.Pointer, *types.Chan:
	default:
		return
	}
	hasNil := false
	for _, c := range sw.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			if tv, ok := l.info.Types[e]; ok && tv.IsNil() {
				hasNil = true
			}
		}
	}
	if !hasNil {
		return
	}
	if sw.Init != nil {
		l.fail(sw.Pos(), "a switch with an init statement on a %s with a case nil (yaegi never takes the nil case); compare in the cases instead: switch { case x == nil: … }", tt.Underlying())
		return
	}
	tag := l.fresh("t")
	l.replace(sw.Tag.Pos(), sw.Tag.Pos(), tag+" := ")
	l.insert(sw.Tag.End(), "; ")
	for _, c := range sw.Body.List {
		cc := c.(*ast.CaseClause)
		if len(cc.List) == 0 {
			continue
		}
		var conds []string
		for _, e := range cc.List {
			conds = append(conds, tag+" == "+l.render(l.off(e.Pos()), l.off(e.End())))
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		l.edits = append(l.edits, edit{l.off(first.Pos()), l.off(last.End()), strings.Join(conds, " || ")})
	}
}

// lowerInterfaceSwitch rewrites switch x { case a, b: … }, where x or a
// case is an interface that may hold a value of a cell type with
// methods, into a switch on conditions that compare as Go does
// (equalityFunc): yaegi's own comparison of such values answers false.
// A switch comparing an interface with values of another type (var n
// int; switch n { case i: }) fails in yaegi ("reflect.Value.Convert:
// value of type interface {} cannot be converted to type int"); it is
// rewritten the same way, its cases compared with ==.
// It reports whether it rewrote (or refused) the switch.
func (l *lowering) lowerInterfaceSwitch(sw *ast.SwitchStmt) bool {
	if sw.Tag == nil {
		return false
	}
	tt := l.info.TypeOf(sw.Tag)
	if tt == nil {
		return false
	}
	eqs := map[ast.Expr]string{}
	mixed := false // an interface compared with a value of another type
	for _, c := range sw.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			tv := l.info.Types[e]
			if tv.Type == nil || tv.IsNil() {
				continue
			}
			if fn := l.equalityFunc(e.Pos(), tt, tv.Type); fn != "" {
				eqs[e] = fn
			}
			if l.err != nil {
				return true
			}
			mixed = mixed || isInterface(tt) != isInterface(tv.Type)
		}
	}
	if len(eqs) == 0 && !mixed {
		return false
	}
	if sw.Init != nil && l.labeled[sw] != nil {
		l.fail(sw.Pos(), "a labeled switch with an init statement on an interface that may hold a cell type with methods (the interpreter compares such values wrongly, and this form cannot be rewritten); move the init statement before the switch")
		return true
	}
	tag := l.fresh("t")
	tagText := l.comparedText(sw.Tag, tt)
	header := fmt.Sprintf("switch %s := %s; ", tag, tagText)
	if sw.Init != nil {
		init := l.render(l.off(sw.Init.Pos()), l.off(sw.Init.End()))
		header = "{ " + init + "; " + header
		l.insert(sw.Body.Rbrace+1, " }")
	}
	l.render(l.off(sw.Switch), l.off(sw.Body.Lbrace))
	l.edits = append(l.edits, edit{l.off(sw.Switch), l.off(sw.Body.Lbrace), header})
	for _, c := range sw.Body.List {
		cc := c.(*ast.CaseClause)
		if len(cc.List) == 0 {
			continue
		}
		var conds []string
		for _, e := range cc.List {
			if fn, ok := eqs[e]; ok {
				conds = append(conds, fmt.Sprintf("%s(%s, %s)", fn, tag, l.comparedText(e, l.info.TypeOf(e))))
			} else {
				conds = append(conds, tag+" == "+l.render(l.off(e.Pos()), l.off(e.End())))
			}
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		l.edits = append(l.edits, edit{l.off(first.Pos()), l.off(last.End()), strings.Join(conds, " || ")})
	}
	return true
}

// lowerSelect rewrites a select statement into a switch on a call that
// selects with a fresh set of cases:
//
//	{ __c0 := ch; var __v0 T; var __ok0 bool; __c1 := out; var __s1 U = x
//	switch __nmfkernel.Select(false, __nmfkernel.Recv(__c0, &__v0, &__ok0), __nmfkernel.Send(__c1, &__s1)) {
//	case 0: v, ok := __v0, __ok0
//		…
//	case 1:
//		…
//	} }
//
// yaegi keeps one set of cases per select statement, shared by every
// goroutine that runs it: two goroutines in one select send each
// other's values and wait on each other's channels (test/ken/chan.go
// receives a wrong value or hangs). The operands are evaluated on entry
// in source order, and what a case receives is assigned when the case is
// taken, as Go does; the value to send and the variable to receive into
// go to the call by address, so they keep the channel's element type.
// The declarations go in a block before the switch, not in its init
// statement: yaegi skips a switch's tag after an init that declares two
// variables. A label moves onto the switch.
func (l *lowering) lowerSelect(sel *ast.SelectStmt) {
	var decls, cases []string
	declare := func(format string, args ...any) {
		decls = append(decls, fmt.Sprintf(format, args...))
	}
	elemOf := func(ch ast.Expr) (string, bool) {
		c, ok := l.info.TypeOf(ch).Underlying().(*types.Chan)
		if !ok {
			return "", false
		}
		ts, err := l.typeString(c.Elem())
		if err != nil {
			l.fail(ch.Pos(), "a select on a channel whose element type cannot be named here (the select is rewritten: the interpreter shares one select's cases between goroutines); declare a named type for the element")
			return "", false
		}
		return ts, true
	}
	// The communications are numbered in order; the default, wherever it
	// stands, after them (as Select numbers it).
	comms := 0
	for _, c := range sel.Body.List {
		if c.(*ast.CommClause).Comm != nil {
			comms++
		}
	}
	hasDefault := false
	for _, c := range sel.Body.List {
		cc := c.(*ast.CommClause)
		head := fmt.Sprintf("case %d:", len(cases))
		switch comm := cc.Comm.(type) {
		case nil:
			hasDefault = true
			head = fmt.Sprintf("case %d:", comms)
		case *ast.SendStmt:
			ts, ok := elemOf(comm.Chan)
			if !ok {
				return
			}
			ch, v := l.fresh("selc"), l.fresh("sels")
			declare("%s := %s", ch, l.render(l.off(comm.Chan.Pos()), l.off(comm.Chan.End())))
			declare("var %s %s = %s", v, ts, l.render(l.off(comm.Value.Pos()), l.off(comm.Value.End())))
			cases = append(cases, fmt.Sprintf("__nmfkernel.Send(%s, &%s)", ch, v))
		default:
			var lhs []ast.Expr
			var tok token.Token
			var x ast.Expr
			switch comm := comm.(type) {
			case *ast.ExprStmt:
				x = comm.X
			case *ast.AssignStmt:
				lhs, tok, x = comm.Lhs, comm.Tok, comm.Rhs[0]
			}
			recv := ast.Unparen(x).(*ast.UnaryExpr)
			ch := l.fresh("selc")
			declare("%s := %s", ch, l.render(l.off(recv.X.Pos()), l.off(recv.X.End())))
			into, ok := "nil", "nil"
			var assign []string
			if len(lhs) > 0 {
				ts, named := elemOf(recv.X)
				if !named {
					return
				}
				v := l.fresh("selv")
				declare("var %s %s", v, ts)
				into, assign = "&"+v, []string{v}
				if len(lhs) == 2 {
					okv := l.fresh("selok")
					declare("var %s bool", okv)
					ok, assign = "&"+okv, append(assign, okv)
				}
				var targets []string
				for _, e := range lhs {
					targets = append(targets, l.render(l.off(e.Pos()), l.off(e.End())))
				}
				head += fmt.Sprintf(" %s %s %s;", strings.Join(targets, ", "), tok, strings.Join(assign, ", "))
			}
			cases = append(cases, fmt.Sprintf("__nmfkernel.Recv(%s, %s, %s)", ch, into, ok))
		}
		l.replace(cc.Case, cc.Colon+1, head)
	}
	call := fmt.Sprintf("__nmfkernel.Select(%t", hasDefault)
	for _, c := range cases {
		call += ", " + c
	}
	call += ") "
	start, label := sel.Select, ""
	if lab := l.labeled[sel]; lab != nil {
		start, label = lab.Pos(), lab.Label.Name+": "
	}
	l.replace(start, sel.Body.Lbrace, "{ "+strings.Join(append(decls, label+"switch "+call), "; "))
	l.insert(sel.Body.Rbrace+1, " }")
}

// mentions reports whether e mentions one of vars.
func (l *lowering) mentions(e ast.Node, vars map[types.Object]bool) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && vars[l.info.Uses[id]] {
			found = true
		}
		return !found
	})
	return found
}

// lhsOperands returns the parts of an assignment target that Go
// evaluates before assigning (the operands of index expressions and
// pointer indirections), or nil for a plain variable.
func lhsOperands(e ast.Expr) []ast.Expr {
	switch e := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		return []ast.Expr{e.X, e.Index}
	case *ast.SelectorExpr:
		return []ast.Expr{e.X}
	case *ast.StarExpr:
		return []ast.Expr{e.X}
	}
	return nil
}

// needsTwoPhases reports whether a parallel assignment has a target
// whose operands mention a variable an earlier target assigns: yaegi
// assigns one target after the other, evaluating each target's operands
// only then (h, h.Next, prev = h.Next, prev, h sets the new h's Next).
func (l *lowering) needsTwoPhases(lhs []ast.Expr) bool {
	assigned := map[types.Object]bool{}
	for _, e := range lhs {
		for _, op := range lhsOperands(e) {
			if l.mentions(op, assigned) {
				return true
			}
		}
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if obj := l.info.Uses[id]; obj != nil {
				assigned[obj] = true
			}
		}
	}
	return false
}

// twoPhases writes a parallel assignment as Go runs it: the targets'
// operands, then the values, then the assignments left to right. It is a
// block, for a statement list. rhs are the values' source.
func (l *lowering) twoPhases(lhs []ast.Expr, rhs []string) (string, bool) {
	var b strings.Builder
	b.WriteString("{ ")
	targets := make([]string, len(lhs))
	for i, e := range lhs {
		e = ast.Unparen(e)
		if id, ok := e.(*ast.Ident); ok {
			targets[i] = id.Name
			continue
		}
		if ix, ok := e.(*ast.IndexExpr); ok {
			if _, isMap := l.info.TypeOf(ix.X).Underlying().(*types.Map); isMap {
				m, k := l.fresh("m"), l.fresh("k")
				fmt.Fprintf(&b, "%s, %s := %s, %s; ", m, k, l.render(l.off(ix.X.Pos()), l.off(ix.X.End())), l.render(l.off(ix.Index.Pos()), l.off(ix.Index.End())))
				targets[i] = m + "[" + k + "]"
				continue
			}
		}
		p := l.fresh("p")
		fmt.Fprintf(&b, "%s := &%s; ", p, l.render(l.off(e.Pos()), l.off(e.End())))
		targets[i] = "*" + p
	}
	values := make([]string, len(lhs))
	for i, e := range lhs {
		if targets[i] == "_" {
			fmt.Fprintf(&b, "_ = %s; ", rhs[i])
			continue
		}
		t, err := l.typeString(l.info.TypeOf(e))
		if err != nil {
			return "", false
		}
		values[i] = l.fresh("v")
		fmt.Fprintf(&b, "var %s %s = %s; ", values[i], t, rhs[i])
	}
	for i := range lhs {
		if targets[i] != "_" {
			fmt.Fprintf(&b, "%s = %s; ", targets[i], values[i])
		}
	}
	b.WriteString("}")
	return b.String(), true
}

// lowerParallelAssign rewrites a parallel assignment in a statement list
// whose targets depend on one another into twoPhases.
func (l *lowering) lowerParallelAssign(as *ast.AssignStmt) bool {
	if as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Lhs) != len(as.Rhs) || !l.needsTwoPhases(as.Lhs) {
		return false
	}
	if !l.inList[as] {
		l.fail(as.Pos(), "a parallel assignment whose targets depend on one another outside a statement list (the interpreter assigns them one after the other); write it as a statement of its own")
		return true
	}
	rhs := make([]string, len(as.Rhs))
	for i, e := range as.Rhs {
		rhs[i] = l.render(l.off(e.Pos()), l.off(e.End()))
	}
	text, ok := l.twoPhases(as.Lhs, rhs)
	if !ok {
		l.fail(as.Pos(), "a parallel assignment whose targets depend on one another, to a target whose type cannot be named here")
		return true
	}
	l.render(l.off(as.Pos()), l.off(as.End()))
	l.edits = append(l.edits, edit{l.off(as.Pos()), l.off(as.End()), text})
	return true
}

// convertInterfaceResults converts to its own type an argument that is
// another call's result of a non-empty interface type: P(G()), with G
// returning I and P taking an I. yaegi v0.16.1 passes such a result
// wrapped once more, so that x.(*S) inside P is false for a *S; an
// explicit conversion, I(G()), passes it as Go does.
func (l *lowering) convertInterfaceResults(call *ast.CallExpr) {
	if tv, ok := l.info.Types[call.Fun]; !ok || tv.IsType() || tv.IsBuiltin() {
		return
	}
	for _, arg := range call.Args {
		inner, ok := ast.Unparen(arg).(*ast.CallExpr)
		if !ok {
			continue
		}
		if tv, ok := l.info.Types[inner.Fun]; !ok || tv.IsType() || tv.IsBuiltin() {
			continue
		}
		t := l.info.TypeOf(arg)
		if t == nil {
			continue
		}
		iface, ok := t.Underlying().(*types.Interface)
		if !ok || iface.Empty() {
			continue
		}
		ts, err := l.typeString(t)
		if err != nil {
			continue
		}
		l.insert(arg.Pos(), "("+ts+")(")
		l.insert(arg.End(), ")")
	}
}
