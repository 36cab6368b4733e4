package engine

// The lowering: a type-checked cell rewritten by text edits into Go that
// yaegi runs as Go would, or refused by name before it runs. This file
// holds the machinery (edits, the walk); the rewrites are split by
// construct, each file opening with what it rewrites and why:
//
//   - lower_types.go: types and generics, and the calls that need them
//   - lower_loops.go: loops and range
//   - lower_defer.go: defer, go and method values
//   - lower_stmt.go: statements and assignments
//   - lower_iface.go: type switches, type assertions, interface comparisons
//   - lower_fmt.go: formatting verbs that print types, xml names
//   - lower_cell.go: cell-level passes (markers, hoisting, the shown value)
//
// Before it, monomorph.go replaces the uses of the cells' generics by
// copies per instantiation, which the lowering then treats as any code.
//
// docs/engine.md lists every rewrite and refusal with a reproduction
// against plain yaegi; testdata/lowered holds golden texts of them.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// isMarker reports whether e is a statement's position marker (see
// markStatements) rather than a rewrite. A rewrite that starts where the
// statement does leaves the marker before its text; one that encloses the
// statement takes it along.
func (e edit) isMarker() bool {
	return e.start == e.end && (strings.HasPrefix(e.text, "__nmfkAt = ") || strings.HasPrefix(e.text, "__nmfkTop = ") || strings.HasPrefix(e.text, "__nmfkernel.MarkAt("))
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
	// bareRecv marks receives that are not values of their own (see
	// lowerReceiveValue).
	bareRecv map[*ast.UnaryExpr]bool
	// labeled marks statements that carry a label.
	labeled map[ast.Stmt]*ast.LabeledStmt
	// inList marks statements directly in a block or a case's body.
	inList map[ast.Stmt]bool
	// missing are the instantiations of module generics the cell uses
	// that the kernel lacks.
	missing []Instance
	// deferred are the cell's generics whose code the lowering refuses
	// (see lowerGenericDecl), with the refusal; kept are those it lowered.
	deferred map[string]error
	kept     map[string]bool
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
		l.err = &unsupportedError{pos: l.pc.fset.Position(pos).String(), msg: l.s.unmono(fmt.Sprintf(format, args...))}
	}
}

// render returns src[start:end] with the edits inside it applied, and
// drops those edits (the caller replaces the whole range).
func (l *lowering) render(start, end int) string {
	var inside, rest []edit
	for _, e := range l.edits {
		if e.start >= start && e.end <= end && (!e.isMarker() || e.start > start) {
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
			if err == nil && !e.isMarker() {
				err = &overlapError{offset: e.start}
			}
			continue // a marker inside a rewrite that did not take it: the line is the enclosing statement's
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
	l.nameBlankTypes()
	l.commaOk = map[*ast.TypeAssertExpr]bool{}
	l.bareRecv = map[*ast.UnaryExpr]bool{}
	l.labeled = map[ast.Stmt]*ast.LabeledStmt{}
	l.inList = map[ast.Stmt]bool{}
	for _, d := range pc.decls {
		l.markCommaOk(d)
	}
	l.markCommaOk(pc.body)
	// Markers first: the rewrites below carry them into their text.
	l.markStatements()
	l.lowerLocalAliases()
	// Generic declarations first, so that a use of one the lowering
	// refuses is known when the rest is walked (see lowerGenericDecl).
	for _, d := range pc.decls {
		if !l.skip[d] && genericOf(d) != "" {
			l.lowerGenericDecl(d)
		}
	}
	for _, d := range pc.decls {
		if l.skip[d] || genericOf(d) != "" {
			continue
		}
		l.walk(d)
	}
	l.sigs = []*types.Signature{types.NewSignatureType(nil, nil, nil, nil, nil, false)}
	for _, st := range pc.body.Body.List {
		l.walk(st)
	}
	l.renameMainAndInit()
	l.hoist()
	l.lowerVarDecls()
	l.showLast()
	l.lowerImports()
}

// nameBlankTypes gives each type declared as _ a fresh name: yaegi
// refuses the declaration ("cannot use _ as value"), and nothing can
// refer to it, so a name of its own changes nothing.
func (l *lowering) nameBlankTypes() {
	roots := []ast.Node{l.pc.body}
	for _, d := range l.pc.decls {
		roots = append(roots, d)
	}
	for _, root := range roots {
		ast.Inspect(root, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "_" {
				l.replace(ts.Name.Pos(), ts.Name.End(), l.fresh("blankType"))
			}
			return true
		})
	}
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
			if l.foldUnsafe(n) {
				return false
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				l.called[sel] = true
			}
			l.walkChildren(n)
			if tv := l.info.Types[n.Fun]; tv.IsType() && len(n.Args) == 1 {
				l.keepTypeInInterface(n.Args[0], tv.Type) // any(x)
			}
			l.keepArgTypes(n)
			l.convertInterfaceResults(n)
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
		case *ast.ValueSpec:
			l.walkChildren(n)
			if n.Type != nil {
				for _, v := range n.Values {
					l.keepTypeInInterface(v, l.info.TypeOf(n.Type))
				}
			}
			if len(n.Values) > 1 && len(n.Values) == len(n.Names) {
				names := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					names[i] = id
				}
				l.lowerCallBesideLiteral(n.Values, names, n.Type == nil)
			}
			return false
		case *ast.ReturnStmt:
			l.walkChildren(n)
			l.lowerReturn(n)
			return false
		case *ast.SwitchStmt:
			l.walkChildren(n)
			l.lowerNilSwitch(n)
			return false
		case *ast.SelectStmt:
			l.walkSelect(n)
			l.lowerSelect(n)
			return false
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				l.walkChildren(n)
				l.lowerReceiveValue(n)
				return false
			}
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
		case *ast.Ident:
			l.refuseDeferredGeneric(n)
		case *ast.IndexExpr, *ast.IndexListExpr:
			if l.lowerGenericType(n.(ast.Expr)) {
				return false
			}
			if ix, ok := n.(*ast.IndexExpr); ok {
				l.refuseInterfaceKeys(ix.X, ix.Pos(), ix.Index)
			}
		case *ast.CompositeLit:
			if len(n.Elts) > 0 {
				var keys []ast.Expr
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						keys = append(keys, kv.Key)
					}
				}
				l.refuseInterfaceKeys(n, n.Pos(), keys...)
			}
		case *ast.SelectorExpr:
			if l.refuseUnsafe(n) {
				return false
			}
			if !l.lowerGenericType(n) {
				l.walkChildren(n)
				l.explicitInterfacePromotion(n)
				l.lowerMethodValue(n, l.called[n])
				return false
			}
		}
		return true
	})
}

// walkSelect walks a select's operands and case bodies, but not its
// cases' send and receive statements as statements: lowerSelect rewrites
// those whole.
func (l *lowering) walkSelect(sel *ast.SelectStmt) {
	for _, c := range sel.Body.List {
		cc := c.(*ast.CommClause)
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			l.walk(comm.Chan)
			l.walk(comm.Value)
			if c, ok := l.info.TypeOf(comm.Chan).Underlying().(*types.Chan); ok && types.IsInterface(c.Elem()) {
				l.keepTypeInInterface(comm.Value, c.Elem())
			}
		case *ast.ExprStmt:
			l.walk(ast.Unparen(comm.X).(*ast.UnaryExpr).X)
		case *ast.AssignStmt:
			for _, e := range comm.Lhs {
				l.walk(e)
			}
			l.walk(ast.Unparen(comm.Rhs[0]).(*ast.UnaryExpr).X)
		}
		for _, st := range cc.Body {
			l.walk(st)
		}
	}
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
