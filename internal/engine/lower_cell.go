package engine

// Cell-level passes, run after the constructs are lowered: a cell's
// statements become the body of one function, so yaegi needs
//
//   - a marker before each statement giving runtime errors their line
//     (yaegi names only the function a panic went through);
//   - main and init renamed, main run once by the cell that declares it;
//   - the cell's top-level variables hoisted to package level, so later
//     cells see them, and top-level var declarations initialized in
//     statement order;
//   - the cell's last expression passed to the session to show;
//   - the cell's imports given to the interpreter.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

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

// hoistVarStmt hoists a var declaration the cell runs as a statement
// (see varsAsStatements): var x T = e becomes x = e and a package-level
// var x T; a name without a value gets its type's zero value.
func (l *lowering) hoistVarStmt(ds *ast.DeclStmt) {
	g, ok := ds.Decl.(*ast.GenDecl)
	if !ok || g.Tok != token.VAR {
		return
	}
	var vars []hoisted
	var assigns []string
	for _, spec := range g.Specs {
		vs := spec.(*ast.ValueSpec)
		var lhs []string
		for _, id := range vs.Names {
			obj, _ := l.info.Defs[id].(*types.Var)
			if obj == nil {
				return
			}
			t, err := l.typeString(obj.Type())
			if err != nil {
				return // kept local: its type cannot be named
			}
			vars = append(vars, hoisted{name: id.Name, typ: obj.Type(), decl: "var " + id.Name + " " + t})
			lhs = append(lhs, id.Name)
		}
		if len(vs.Values) > 0 {
			var rhs []string
			for _, v := range vs.Values {
				rhs = append(rhs, l.render(l.off(v.Pos()), l.off(v.End())))
			}
			assigns = append(assigns, strings.Join(lhs, ", ")+" = "+strings.Join(rhs, ", "))
			continue
		}
		for _, id := range vs.Names {
			t, _ := l.typeString(l.info.Defs[id].Type())
			if id.Name != "_" {
				assigns = append(assigns, id.Name+" = *new("+t+")")
			}
		}
	}
	l.hoisted = append(l.hoisted, vars...)
	l.replace(ds.Pos(), ds.End(), strings.Join(assigns, "; "))
}

// hoist makes the variables the cell's top-level statements declare
// package-level, so later cells see them: x := f() becomes x = f() and a
// declaration var x T.
func (l *lowering) hoist() {
	assigned := map[*types.Var]token.Pos{} // error variables, where last assigned
	for _, st := range l.pc.body.Body.List {
		if ds, ok := st.(*ast.DeclStmt); ok {
			l.hoistVarStmt(ds)
			continue
		}
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
