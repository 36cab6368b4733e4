package engine

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// placeholder stands for the identifier being completed, so that the cell
// parses and type-checks around it.
const placeholder = "__nmfkSel"

// scratch is a cell type-checked against the session without running it
// or changing the session: what completion and inspection work from.
type scratch struct {
	pc   *parsedCell
	info *types.Info
	pkg  *types.Package
	// kinds, when not nil, receives the kind of each name a completion
	// lists (see kindOf).
	kinds map[string]string
}

// checkScratch parses and type-checks code in a package of its own built
// from the session's declarations; type errors are tolerated (the code is
// being written). Unbalanced brackets are closed first.
func (s *Session) checkScratch(code string) (*scratch, error) {
	s.mu.Lock()
	seq := s.seq + 1
	s.mu.Unlock()
	var pc *parsedCell
	var err error
	cl := closers(code)
	for _, c := range []string{code, code + strings.TrimPrefix(cl, "\n"), code + cl} {
		if pc, err = parseCell(s.fset, seq, c, s.imports); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if pc.body == nil {
		return nil, errors.New("no cell body")
	}
	pkg := types.NewPackage("main", "main")
	files := []*ast.File{}
	names := map[string]bool{}
	for _, d := range pc.decls {
		for _, n := range declNames(d) {
			names[n] = true
		}
	}
	for _, d := range s.decls {
		if !slices.ContainsFunc(d.names, func(n string) bool { return names[n] }) {
			files = append(files, d.file)
		}
	}
	files = append(files, pc.file)
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Scopes:     map[ast.Node]*types.Scope{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
	conf := &types.Config{Importer: s.importer, Sizes: gcSizes, Error: func(error) {}}
	_ = types.NewChecker(conf, s.fset, pkg, info).Files(files)
	return &scratch{pc: pc, info: info, pkg: pkg}, nil
}

// closers returns what closes the brackets code leaves open.
func closers(code string) string {
	toks, err := scanTokens(code)
	if err != nil {
		return ""
	}
	var stack []byte
	for _, t := range toks {
		switch t.tok {
		case token.LPAREN:
			stack = append(stack, ')')
		case token.LBRACK:
			stack = append(stack, ']')
		case token.LBRACE:
			stack = append(stack, '}')
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	slices.Reverse(stack)
	return "\n" + string(stack)
}

// cellPos returns the position in the scratch file of byte offset off of
// the cell's code, or NoPos.
func (sc *scratch) cellPos(off int) token.Pos {
	line, col := lineCol(sc.pc.code, off)
	want := sc.pc.seq*lineBase + line
	var found token.Pos
	ast.Inspect(sc.pc.file, func(n ast.Node) bool {
		if n == nil || found.IsValid() {
			return false
		}
		p := sc.pc.fset.Position(n.Pos())
		e := sc.pc.fset.Position(n.End())
		if p.Line > want || e.Line < want {
			return true
		}
		if id, ok := n.(*ast.Ident); ok && p.Line == want && p.Column <= col && col <= e.Column {
			found = id.Pos()
		}
		return true
	})
	return found
}

// typedCompletions lists what the identifier being typed at [start, pos)
// can be, from the types: after x. the fields and methods of x's type (or
// a package's members), inside a struct literal its fields, elsewhere the
// names in scope there. ok is false when the cell cannot be read.
func (s *Session) typedCompletions(code string, start, pos int, kinds map[string]string) (out []string, ok bool) {
	probe := code[:start] + placeholder + code[pos:]
	sc, err := s.checkScratch(probe)
	if err != nil {
		return nil, false
	}
	sc.kinds = kinds
	var id *ast.Ident
	ast.Inspect(sc.pc.file, func(n ast.Node) bool {
		if x, isIdent := n.(*ast.Ident); isIdent && x.Name == placeholder && id == nil {
			id = x
		}
		return id == nil
	})
	if id == nil {
		return nil, false
	}
	path, _ := astutil.PathEnclosingInterval(sc.pc.file, id.Pos(), id.End())
	if len(path) < 2 {
		return nil, false
	}
	switch parent := path[1].(type) {
	case *ast.SelectorExpr:
		if parent.Sel == id {
			return sc.members(parent.X), true
		}
	case *ast.KeyValueExpr:
		if parent.Key == id && len(path) > 2 {
			if lit, isLit := path[2].(*ast.CompositeLit); isLit {
				return sc.fields(lit), true
			}
		}
	case *ast.CompositeLit:
		out = sc.fields(parent)
	}
	return append(out, sc.scopeNames(id.Pos())...), true
}

// members lists the exported members of package x, or the fields and
// methods of x's type.
func (sc *scratch) members(x ast.Expr) []string {
	if xid, ok := ast.Unparen(x).(*ast.Ident); ok {
		if pn, ok := sc.info.Uses[xid].(*types.PkgName); ok {
			var out []string
			scope := pn.Imported().Scope()
			for _, n := range scope.Names() {
				if token.IsExported(n) {
					out = append(out, n)
					sc.note(scope.Lookup(n))
				}
			}
			return out
		}
	}
	t := sc.info.TypeOf(x)
	if t == nil {
		return nil
	}
	return typeMembersOf(t, sc.pkg, sc.note)
}

// note records the kind of a listed object for the completion popup.
func (sc *scratch) note(obj types.Object) {
	if sc.kinds != nil && obj != nil {
		if _, seen := sc.kinds[obj.Name()]; !seen {
			sc.kinds[obj.Name()] = kindOf(obj)
		}
	}
}

// kindOf names what obj is in the words completion popups use (CodeMirror's
// completion types, which JupyterLab's experimental types share).
func kindOf(obj types.Object) string {
	switch o := obj.(type) {
	case *types.Func:
		if sig, ok := o.Type().(*types.Signature); ok && sig.Recv() != nil {
			return "method"
		}
		return "function"
	case *types.Var:
		if o.IsField() {
			return "property"
		}
		return "variable"
	case *types.Const:
		return "constant"
	case *types.TypeName:
		if types.IsInterface(o.Type()) {
			return "interface"
		}
		return "type"
	case *types.PkgName:
		return "namespace"
	case *types.Builtin:
		return "function"
	case *types.Nil:
		return "constant"
	}
	return "variable"
}

// typeMembersOf lists the fields and methods reachable from t that code
// in pkg may use, passing each to note (if not nil).
func typeMembersOf(t types.Type, pkg *types.Package, note func(types.Object)) []string {
	var out []string
	seen := map[string]bool{}
	add := func(obj types.Object) {
		if (obj.Exported() || obj.Pkg() == pkg) && !seen[obj.Name()] {
			seen[obj.Name()] = true
			out = append(out, obj.Name())
			if note != nil {
				note(obj)
			}
		}
	}
	ms := types.NewMethodSet(t)
	if _, isPtr := t.Underlying().(*types.Pointer); !isPtr && !types.IsInterface(t) {
		ms = types.NewMethodSet(types.NewPointer(t))
	}
	for m := range ms.Methods() {
		add(m.Obj())
	}
	var fields func(t types.Type, depth int)
	fields = func(t types.Type, depth int) {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || depth > 5 {
			return
		}
		for f := range st.Fields() {
			add(f)
			if f.Embedded() {
				fields(f.Type(), depth+1)
			}
		}
	}
	fields(t, 0)
	return out
}

// fields lists the field names of a struct literal's type.
func (sc *scratch) fields(lit *ast.CompositeLit) []string {
	t := sc.info.TypeOf(lit)
	if t == nil {
		return nil
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var out []string
	for f := range st.Fields() {
		if f.Exported() || f.Pkg() == sc.pkg {
			out = append(out, f.Name())
			sc.note(f)
		}
	}
	return out
}

// scopeNames lists every name visible at pos: locals, the session's
// declarations and imports, Go's predeclared names.
func (sc *scratch) scopeNames(pos token.Pos) []string {
	var inner *types.Scope
	for _, scope := range sc.info.Scopes {
		if scope.Contains(pos) && (inner == nil || inner.Contains(scope.Pos()) && scope != inner) {
			if inner == nil || scope.Pos() >= inner.Pos() {
				inner = scope
			}
		}
	}
	var out []string
	for scope := inner; scope != nil; scope = scope.Parent() {
		for _, n := range scope.Names() {
			if obj := scope.Lookup(n); obj != nil && (scope == types.Universe || obj.Pos() < pos || scope.Parent() == types.Universe || obj.Parent() == sc.pkg.Scope()) {
				out = append(out, n)
				sc.note(obj)
			}
		}
	}
	if inner == nil {
		out = append(out, sc.pkg.Scope().Names()...)
		out = append(out, types.Universe.Names()...)
	}
	return out
}

// typedInspect describes what the cursor (byte offset pos) is on, or the
// function whose call's parentheses hold it: its declaration with
// parameter names and its doc comment.
func (s *Session) typedInspect(code string, pos int) string {
	sc, err := s.checkScratch(code)
	if err != nil {
		return ""
	}
	at := sc.cellPos(pos)
	var obj types.Object
	var name *ast.Ident
	if at.IsValid() {
		path, _ := astutil.PathEnclosingInterval(sc.pc.file, at, at)
		for _, n := range path {
			if id, ok := n.(*ast.Ident); ok {
				obj, name = sc.objectOf(id), id
				break
			}
		}
	}
	if obj == nil {
		// Inside a call's parentheses: the function called.
		line, col := lineCol(code, pos)
		var call *ast.CallExpr
		ast.Inspect(sc.pc.file, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			l, r := sc.pc.fset.Position(c.Lparen), sc.pc.fset.Position(c.Rparen)
			want := sc.pc.seq*lineBase + line
			after := l.Line < want || l.Line == want && l.Column < col
			before := r.Line > want || r.Line == want && r.Column >= col || !c.Rparen.IsValid()
			if after && before {
				call = c // the innermost wins: Inspect visits outer calls first
			}
			return true
		})
		if call != nil {
			switch f := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				name = f
			case *ast.SelectorExpr:
				name = f.Sel
			}
			if name != nil {
				obj = sc.objectOf(name)
			}
		}
	}
	if obj == nil {
		return ""
	}
	return s.describe(sc, obj)
}

func (sc *scratch) objectOf(id *ast.Ident) types.Object {
	if o := sc.info.Uses[id]; o != nil {
		return o
	}
	return sc.info.Defs[id]
}

// describe gives an object's declaration and documentation.
func (s *Session) describe(sc *scratch, obj types.Object) string {
	qual := func(p *types.Package) string {
		if p == sc.pkg {
			return ""
		}
		return p.Name()
	}
	switch o := obj.(type) {
	case *types.PkgName:
		path := o.Imported().Path()
		return fmt.Sprintf("package %s // import %q\n\n%s", o.Imported().Name(), path, docs.packageDoc(path))
	case *types.Builtin:
		return "builtin " + o.Name()
	}
	if obj.Pkg() != nil && obj.Pkg() != sc.pkg {
		// A package member: its source declaration and doc comment.
		name := obj.Name()
		if f, ok := obj.(*types.Func); ok {
			if recv := f.Type().(*types.Signature).Recv(); recv != nil {
				if text := docs.methodDoc(obj.Pkg().Path(), recvName(recv.Type()), name); text != "" {
					return text
				}
				return types.ObjectString(obj, qual)
			}
		}
		if text := docs.symbolDoc(obj.Pkg().Path(), name); text != "" {
			return text
		}
		return types.ObjectString(obj, qual)
	}
	// The session's own: its declaration as written, and a variable's value.
	text := types.ObjectString(obj, qual)
	if d := s.declNamed(obj.Name()); d != nil && d.text != "" && obj.Parent() == sc.pkg.Scope() {
		text = d.text
		if i := strings.Index(text, "{"); i > 0 && strings.HasPrefix(text, "func") {
			text = strings.TrimSpace(text[:i])
		}
	}
	if v, ok := obj.(*types.Var); ok && obj.Parent() == sc.pkg.Scope() {
		if g, ok := s.globals()[v.Name()]; ok && g.IsValid() && g.CanInterface() {
			val := fmt.Sprintf("%v", g.Interface())
			if len(val) > 500 {
				val = val[:500] + "…"
			}
			text += " = " + val
		}
	}
	return text
}

// recvName names a method receiver's type.
func recvName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}
