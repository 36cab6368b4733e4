package engine

// Monomorphization: the cells' own generic functions and types run as
// copies, one per instantiation, with the type arguments written in.
//
// yaegi v0.16.1 instantiates generic code itself and gets much of it
// wrong: many methods of generic types and generic functions over maps
// crash its CFG pass (a nil pointer in post-order), generic types that
// refer to themselves through an interface overflow its stack (nodeType2
// recursing for ever, which ends the process), type switches and
// comparisons on a type parameter match what Go does not. A copy of the
// code for int is ordinary Go, which it runs right.
//
// It is a pass before the others: when a cell uses a generic function
// or type a cell declared, the session's declarations and the cell are
// type-checked together; every instantiation the cell uses is planned
// together with the instantiations its own code needs; and the cell is
// run as if written with the copies: each reference renamed (F[int] →
// F__nmfkI…), the copies added as declarations that carry the generic's
// own lines, so that an error in one points at the generic code. An
// embedded generic type's field takes the copy's name wherever the code
// names it; a type declared inside a function and used as a type
// argument moves to package level (hoist). The generic declarations stay
// as written (later cells copy them again; a method added to a generic
// type later reaches the copies made before). A cell with an
// instantiation that cannot be copied (its types cannot be named at
// package level) is left whole to the interpreter's generics, as before:
// a copy and the interpreter's instance of one type must never meet.
// %T prints a copy by the name Go gives the instance (main.List[int]).
//
// docs/engine.md lists it with the yaegi behaviours it works around.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// monoSuffix marks the name of a generic's copy.
const monoSuffix = "__nmfkI"

// maxInstances bounds the copies one cell may need (an instantiation
// that keeps growing its type arguments is refused by Go's compiler, not
// always by go/types).
const maxInstances = 400

// monoType is a type written two ways: as the cell's source names it (a
// copy by its own name) and as Go's reflect prints it.
type monoType struct{ src, display string }

// monoInst is one instantiation of a cell's generic function or type.
type monoInst struct {
	name    string // the copy's name
	display string // main.List[int]
	obj     types.Object
	args    []monoType
	decls   []string // the copy's declarations, each after a //line directive
	deps    []*monoInst
	failed  bool
}

// monoSource is a declaration's text and the file offset it starts at.
type monoSource struct {
	text string
	base int
}

// monomorph plans the copies one cell needs.
type monomorph struct {
	s     *Session
	pc    *parsedCell
	info  *types.Info
	pkg   *types.Package
	names map[string]string // import path → the name the cell's file gives it
	// decls maps a generic function or type to its declaration (a
	// *ast.FuncDecl or *ast.TypeSpec), methods a generic type to its
	// methods' declarations; source the top-level declarations to their
	// text.
	decls   map[types.Object]ast.Node
	methods map[types.Object][]*ast.FuncDecl
	source  map[ast.Node]monoSource
	insts   map[types.Object]map[string]*monoInst
	order   []*monoInst
	// local are the type declarations inside the cell's functions;
	// hoisted those of them moved to package level (see hoist), with the
	// declaration and the cell's edit.
	local     map[types.Object]*ast.TypeSpec
	localDecl map[types.Object]*ast.DeclStmt
	localSeq  map[types.Object]int
	hoisted   map[types.Object]*hoistedType
	// parent maps the name of an explicitly instantiated generic to the
	// index expression around it.
	parent map[*ast.Ident]ast.Expr
	// typeOf maps a type argument, by its display name, to its type
	// (see subst).
	typeOf map[string]types.Type
}

// monoPlan is what monomorphization changes in a cell: its code with
// references renamed, the copies' declarations, and the names %T gives
// the copies.
type monoPlan struct {
	code    string
	extra   string
	display map[string]string
	copies  []monoCopy
}

// monoCopy is a copy the session has: of which generic, for which type
// arguments.
type monoCopy struct {
	name, generic string
	args          []monoType
}

// mentionsGeneric reports whether the cell may use a generic a cell
// declared: it names one, or declares one.
func (s *Session) mentionsGeneric(pc *parsedCell) bool {
	for _, d := range pc.decls {
		if len(genericNames(d)) > 0 {
			return true
		}
	}
	if len(s.generics) == 0 {
		return false
	}
	found := false
	ast.Inspect(pc.file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && s.generics[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// genericNames lists the generic functions and types a declaration
// declares.
func genericNames(d ast.Decl) []string {
	var names []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Type.TypeParams != nil && len(d.Type.TypeParams.List) > 0 {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, sp := range d.Specs {
			if ts, ok := sp.(*ast.TypeSpec); ok && ts.TypeParams != nil && len(ts.TypeParams.List) > 0 {
				names = append(names, ts.Name.Name)
			}
		}
	}
	return names
}

// monomorphize plans the copies of the generics the cell uses, or
// returns nil when there are none to make (or the cell does not
// type-check: the ordinary path reports that).
func (s *Session) monomorphize(pc *parsedCell, changes declChanges) *monoPlan {
	if !s.mentionsGeneric(pc) {
		return nil
	}
	m := &monomorph{s: s, pc: pc, names: map[string]string{}, decls: map[types.Object]ast.Node{},
		methods: map[types.Object][]*ast.FuncDecl{}, source: map[ast.Node]monoSource{},
		insts: map[types.Object]map[string]*monoInst{}, parent: map[*ast.Ident]ast.Expr{},
		local: map[types.Object]*ast.TypeSpec{}, localDecl: map[types.Object]*ast.DeclStmt{}, localSeq: map[types.Object]int{}, hoisted: map[types.Object]*hoistedType{},
		typeOf: map[string]types.Type{}}
	if !m.check(changes) {
		return nil
	}
	m.index()
	type rename struct {
		start, end int
		inst       *monoInst
	}
	var renames []rename
	lineStarts := []int{0}
	for i := range len(pc.code) {
		if pc.code[i] == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	codeOffset := func(pos token.Pos) (int, bool) {
		p := s.fset.Position(pos)
		if p.Line/lineBase != pc.seq {
			return 0, false
		}
		line := p.Line % lineBase
		if line < 1 || line > len(lineStarts) {
			return 0, false
		}
		off := lineStarts[line-1] + p.Column - 1
		return off, off <= len(pc.code)
	}
	uncopied := false
	var forced []*monoInst
	var fieldRenames []edit
	roots := []ast.Node{}
	for _, d := range pc.decls {
		if !changes.skip[d] && !m.isGenericDecl(d) {
			roots = append(roots, d)
		}
	}
	roots = append(roots, pc.body)
	for _, root := range roots {
		var skipUntil token.Pos
		ast.Inspect(root, func(n ast.Node) bool {
			if n == nil || n.Pos() < skipUntil {
				return false
			}
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			if name, good, isField := m.embeddedField(id, nil); isField {
				if !good {
					uncopied = true
					return true
				}
				start, ok1 := codeOffset(id.Pos())
				if ok1 && pc.code[start:start+len(id.Name)] == id.Name {
					fieldRenames = append(fieldRenames, edit{start, start + len(id.Name), name})
				}
				return true
			}
			inst, ok := m.use(id, nil)
			if !ok {
				uncopied = true
			}
			if !ok || inst == nil {
				return true
			}
			var whole ast.Expr = id
			if p, ok := m.parent[id]; ok {
				whole = p
			}
			start, ok1 := codeOffset(whole.Pos())
			end, ok2 := codeOffset(whole.End())
			if ok1 && ok2 && start <= end && pc.code[start:end] == pc.src[pc.offset(whole.Pos()):pc.offset(whole.End())] {
				renames = append(renames, rename{start, end, inst})
				skipUntil = whole.End()
			}
			return true
		})
	}
	// A method declared on a generic type goes to the copies of that
	// type earlier cells made, as it goes to every instance in Go.
	for _, d := range pc.decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || changes.skip[d] {
			continue
		}
		obj, ok := m.pkg.Scope().Lookup(genericOf(d)).(*types.TypeName)
		if !ok || m.decls[obj] == nil {
			continue
		}
		for _, c := range s.copies {
			if c.generic == obj.Name() {
				if in := m.instance(obj, c.args); !in.failed {
					forced = append(forced, in)
				}
			}
		}
	}
	if (len(renames) == 0 && len(forced) == 0) || uncopied {
		return nil
	}
	m.settle()
	plan := &monoPlan{display: map[string]string{}}
	var edits []edit
	seen := map[int]bool{}
	for _, r := range renames {
		if r.inst.failed {
			// All or nothing: a copy and the interpreter's own instance
			// of one generic must not meet (a value of one is not of
			// the other's type).
			return nil
		}
		if seen[r.start] {
			continue
		}
		seen[r.start] = true
		edits = append(edits, edit{r.start, r.end, r.inst.name})
	}
	edits = append(edits, fieldRenames...)
	var hoistDecls []string
	for obj, h := range m.hoisted {
		if !h.ok {
			continue
		}
		// The declaration goes (its lines kept), and every use names the
		// package-level type: yaegi has no local alias declarations.
		ds := m.localDecl[obj]
		start, ok1 := codeOffset(ds.Pos())
		end, ok2 := codeOffset(ds.End())
		if !ok1 || !ok2 || end < start {
			return nil
		}
		edits = append(edits, edit{start, end, padLines(pc.code[start:end], "")})
		for id, used := range m.info.Uses {
			if used != obj {
				continue
			}
			at, ok := codeOffset(id.Pos())
			if !ok || pc.code[at:at+len(id.Name)] != id.Name {
				return nil
			}
			if slices.ContainsFunc(edits, func(e edit) bool { return e.start <= at && at < e.end }) {
				continue // inside a renamed instantiation: G[S] became G's copy
			}
			edits = append(edits, edit{at, at + len(id.Name), h.name})
		}
		hoistDecls = append(hoistDecls, h.decl)
	}
	slices.Sort(hoistDecls)
	if len(edits) == 0 && len(forced) == 0 {
		return nil
	}
	code, err := applyEdits(pc.code, edits, 0)
	if err != nil {
		return nil
	}
	plan.code = code
	var extra strings.Builder
	for _, d := range hoistDecls {
		extra.WriteString(d + "\n")
	}
	for obj, h := range m.hoisted {
		if h.ok {
			plan.display[h.name] = "main." + obj.Name()
		}
	}
	for _, in := range m.order {
		if in.failed {
			continue
		}
		plan.display[in.name] = in.display
		plan.copies = append(plan.copies, monoCopy{name: in.name, generic: in.obj.Name(), args: in.args})
		for _, d := range in.decls {
			extra.WriteString(d)
			extra.WriteString("\n")
		}
	}
	plan.extra = extra.String()
	return plan
}

// check type-checks the session's declarations and the cell together,
// recording every use of a name (the ordinary check sees only the cell).
func (m *monomorph) check(changes declChanges) bool {
	s, pc := m.s, m.pc
	// Errors are let through: a cell can need a copy to compile (b.Get()
	// where this cell declares Get on b's generic type). The cell with
	// the copies is checked again, and used only if it compiles.
	m.pkg, m.info = s.checkWhole(pc, changes, func(d *sessionDecl, top ast.Decl) {
		m.source[top] = monoSource{text: d.text, base: s.fset.File(top.Pos()).Offset(top.Pos())}
	}, true)
	if m.info == nil {
		return false
	}
	for _, d := range pc.file.Decls {
		m.source[d] = monoSource{text: pc.src, base: 0}
	}
	for _, imp := range pc.file.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := importName(imp)
		if name == "_" || name == "." {
			continue
		}
		m.names[path] = name
	}
	return true
}

// checkWhole type-checks the session's declarations and the cell in a
// package of their own, leaving the session's as it is; each kept
// session declaration is passed to seen. It returns nil when Go would
// not compile them, unless lenient (then only when the checker failed).
func (s *Session) checkWhole(pc *parsedCell, changes declChanges, seen func(*sessionDecl, ast.Decl), lenient bool) (pkg *types.Package, info *types.Info) {
	cf := *pc.file
	cf.Decls = slices.DeleteFunc(slices.Clone(cf.Decls), func(d ast.Decl) bool { return changes.skip[d] })
	var files []*ast.File
	for _, d := range s.decls {
		keep := d.file != nil
		for _, n := range d.names {
			if changes.redefined[n] || (d.typ != nil && mentionsRedefined(d.typ, changes.redefined)) {
				keep = false
			}
		}
		if !keep {
			continue
		}
		files = append(files, d.file)
		if seen != nil && d.text != "" && len(d.file.Decls) > 0 {
			seen(d, d.file.Decls[len(d.file.Decls)-1])
		}
	}
	files = append(files, &cf)
	pkg = types.NewPackage("main", "main")
	info = &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	failed := false
	conf := &types.Config{Importer: s.importer, Sizes: gcSizes, Error: func(err error) {
		if te, ok := err.(types.Error); ok && ignoredCheckError(pc, te) {
			return
		}
		failed = true
	}}
	if err := checkFiles(conf, s.fset, pkg, info, files); err != nil || failed && !lenient {
		return nil, nil
	}
	return pkg, info
}

// index finds the declarations of the generics and the places that
// instantiate them.
func (m *monomorph) index() {
	tops := make([]ast.Node, 0, len(m.source))
	for top := range m.source {
		tops = append(tops, top)
	}
	slices.SortFunc(tops, func(a, b ast.Node) int { return int(a.Pos() - b.Pos()) })
	var localSpecs []*ast.TypeSpec
	defer func() {
		// Go numbers the types declared inside functions in the order
		// of the package's source, and names them main.S·N inside type
		// arguments.
		slices.SortFunc(localSpecs, func(a, b *ast.TypeSpec) int { return int(a.Pos() - b.Pos()) })
		for i, ts := range localSpecs {
			if obj := m.info.Defs[ts.Name]; obj != nil {
				m.localSeq[obj] = i + 1
			}
		}
	}()
	for _, top := range tops {
		switch d := top.(type) {
		case *ast.FuncDecl:
			obj, _ := m.info.Defs[d.Name].(*types.Func)
			if obj == nil {
				continue
			}
			sig := obj.Type().(*types.Signature)
			if d.Recv == nil && sig.TypeParams().Len() > 0 {
				m.decls[obj] = d
			}
			if recv := sig.Recv(); recv != nil && sig.RecvTypeParams().Len() > 0 {
				t := recv.Type()
				if p, ok := t.(*types.Pointer); ok {
					t = p.Elem()
				}
				if n, ok := t.(*types.Named); ok {
					origin := n.Origin().Obj()
					m.methods[origin] = append(m.methods[origin], d)
				}
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				if ts, ok := sp.(*ast.TypeSpec); ok && ts.TypeParams != nil && !ts.Assign.IsValid() {
					if obj := m.info.Defs[ts.Name]; obj != nil {
						m.decls[obj] = ts
						m.source[ts] = m.source[top]
					}
				}
			}
		}
		ast.Inspect(top, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.DeclStmt:
				g, ok := n.Decl.(*ast.GenDecl)
				if ok && g.Tok == token.TYPE && m.s.fset.File(n.Pos()) == m.pc.tf {
					for _, sp := range g.Specs {
						if ts := sp.(*ast.TypeSpec); !ts.Assign.IsValid() {
							localSpecs = append(localSpecs, ts)
						}
					}
				}
				if ok && g.Tok == token.TYPE && len(g.Specs) == 1 && m.s.fset.File(n.Pos()) == m.pc.tf && !m.isGenericDecl(top.(ast.Decl)) {
					if ts := g.Specs[0].(*ast.TypeSpec); ts.TypeParams == nil && !ts.Assign.IsValid() {
						if obj := m.info.Defs[ts.Name]; obj != nil {
							m.local[obj] = ts
							m.localDecl[obj] = n
						}
					}
				}
			case *ast.IndexExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					m.parent[id] = n
				}
			case *ast.IndexListExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					m.parent[id] = n
				}
			}
			return true
		})
	}
}

// isGenericDecl reports whether d declares a generic function or type,
// or a method of one (their code is copied, not rewritten in place).
func (m *monomorph) isGenericDecl(d ast.Decl) bool {
	if len(genericNames(d)) > 0 {
		return true
	}
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
		if obj, ok := m.info.Defs[fd.Name].(*types.Func); ok {
			return obj.Type().(*types.Signature).RecvTypeParams().Len() > 0
		}
	}
	return false
}

// use returns the copy a name that instantiates a cell's generic stands
// for, with env giving the type parameters around it. inst is nil when
// the name is not such an instantiation; ok is false when its type
// arguments cannot be written.
func (m *monomorph) use(id *ast.Ident, env map[*types.TypeParam]monoType) (inst *monoInst, ok bool) {
	in, found := m.info.Instances[id]
	if !found {
		return nil, true
	}
	obj := m.info.Uses[id]
	if obj == nil || obj.Pkg() != m.pkg {
		return nil, true
	}
	if _, ok := m.decls[obj]; !ok {
		return nil, true
	}
	args := make([]monoType, in.TypeArgs.Len())
	for i := range args {
		a, ok := m.render(in.TypeArgs.At(i), env, 0)
		if !ok {
			return nil, false
		}
		args[i] = a
		if _, known := m.typeOf[a.display]; !known {
			m.typeOf[a.display] = m.subst(in.TypeArgs.At(i), env)
		}
	}
	inst = m.instance(obj, args)
	return inst, !inst.failed
}

// instance returns the copy of obj for args, planning it when new.
func (m *monomorph) instance(obj types.Object, args []monoType) *monoInst {
	var keys []string
	for _, a := range args {
		keys = append(keys, a.display)
	}
	key := strings.Join(keys, ",")
	if in := m.insts[obj][key]; in != nil {
		return in
	}
	node := m.decls[obj]
	src := m.source[node]
	text := src.text[m.fileOffset(node.Pos())-src.base : m.fileOffset(node.End())-src.base]
	h := sha256.Sum256([]byte(text + "[" + key + "]"))
	in := &monoInst{
		name:    obj.Name() + monoSuffix + hex.EncodeToString(h[:5]),
		display: "main." + obj.Name() + "[" + key + "]",
		obj:     obj,
		args:    args,
	}
	if m.insts[obj] == nil {
		m.insts[obj] = map[string]*monoInst{}
	}
	m.insts[obj][key] = in
	m.order = append(m.order, in)
	if len(m.order) > maxInstances {
		in.failed = true
		return in
	}
	switch node := node.(type) {
	case *ast.FuncDecl:
		sig := obj.Type().(*types.Signature)
		env := bind(sig.TypeParams(), args)
		d, ok := m.copyDecl(node, env, in, func(edits *[]edit) {
			*edits = append(*edits, edit{m.fileOffset(node.Name.Pos()), m.fileOffset(node.Name.End()), in.name})
			tp := node.Type.TypeParams
			*edits = append(*edits, edit{m.fileOffset(tp.Opening), m.fileOffset(tp.Closing) + 1, ""})
		})
		in.decls = append(in.decls, d)
		in.failed = in.failed || !ok
	case *ast.TypeSpec:
		named := obj.Type().(*types.Named)
		env := bind(named.TypeParams(), args)
		d, ok := m.copyDecl(node, env, in, func(edits *[]edit) {
			start := m.fileOffset(node.Name.Pos())
			*edits = append(*edits, edit{start, m.fileOffset(node.TypeParams.Closing) + 1, "type " + in.name})
		})
		in.decls = append(in.decls, d)
		in.failed = in.failed || !ok
		for _, fd := range m.methods[obj] {
			fn := m.info.Defs[fd.Name].(*types.Func)
			env := bind(fn.Type().(*types.Signature).RecvTypeParams(), args)
			recv := fd.Recv.List[0].Type
			if st, ok := recv.(*ast.StarExpr); ok {
				recv = st.X
			}
			d, ok := m.copyDecl(fd, env, in, func(edits *[]edit) {
				*edits = append(*edits, edit{m.fileOffset(recv.Pos()), m.fileOffset(recv.End()), in.name})
			})
			in.decls = append(in.decls, d)
			in.failed = in.failed || !ok
		}
	}
	return in
}

// bind maps type parameters to their arguments.
// subst returns t with the type parameters env binds replaced by the
// types they stand for, or nil where that is not known (a type literal
// that mentions a type parameter, other than a pointer, slice, array or
// map of one).
func (m *monomorph) subst(t types.Type, env map[*types.TypeParam]monoType) types.Type {
	if !dependsOnTypeParams(t) {
		return t
	}
	elem := func(e types.Type) types.Type { return m.subst(e, env) }
	switch t := t.(type) {
	case *types.TypeParam:
		a, ok := env[t]
		if !ok {
			return nil
		}
		return m.typeOf[a.display]
	case *types.Pointer:
		if e := elem(t.Elem()); e != nil {
			return types.NewPointer(e)
		}
	case *types.Slice:
		if e := elem(t.Elem()); e != nil {
			return types.NewSlice(e)
		}
	case *types.Array:
		if e := elem(t.Elem()); e != nil {
			return types.NewArray(e, t.Len())
		}
	case *types.Map:
		if k, e := elem(t.Key()), elem(t.Elem()); k != nil && e != nil {
			return types.NewMap(k, e)
		}
	case *types.Named:
		args := make([]types.Type, t.TypeArgs().Len())
		for i := range args {
			if args[i] = elem(t.TypeArgs().At(i)); args[i] == nil {
				return nil
			}
		}
		if inst, err := types.Instantiate(nil, t.Origin(), args, false); err == nil {
			return inst
		}
	}
	return nil
}

// impossible reports whether a value of interface type x (in the generic
// code, under env) can never hold a t: the copy's Go would not compile
// (an impossible type assertion or type switch case), where the generic
// code compiles and the test just fails. It returns x's name as Go
// prints it, for the run-time error of the assertion.
func (m *monomorph) impossible(x, t types.Type, env map[*types.TypeParam]monoType) (string, bool) {
	xs, ts := m.subst(x, env), m.subst(t, env)
	if xs == nil || ts == nil || isInterface(ts) {
		return "", false
	}
	iface, ok := xs.Underlying().(*types.Interface)
	if !ok || iface.Empty() || types.AssertableTo(iface, ts) {
		return "", false
	}
	name, ok := m.render(x, env, 0)
	return name.display, ok
}

func bind(tps *types.TypeParamList, args []monoType) map[*types.TypeParam]monoType {
	env := map[*types.TypeParam]monoType{}
	for i := range min(tps.Len(), len(args)) {
		env[tps.At(i)] = args[i]
	}
	return env
}

func (m *monomorph) fileOffset(pos token.Pos) int { return m.s.fset.File(pos).Offset(pos) }

// copyDecl writes node (a generic declaration, or a method of a generic
// type) with its type parameters replaced by env's types and the
// instantiations inside it by their copies; head adds the edits that
// rename it.
func (m *monomorph) copyDecl(node ast.Node, env map[*types.TypeParam]monoType, in *monoInst, head func(*[]edit)) (string, bool) {
	var edits []edit
	head(&edits)
	covered := func(n ast.Node) bool {
		start, end := m.fileOffset(n.Pos()), m.fileOffset(n.End())
		for _, e := range edits {
			if e.start <= start && end <= e.end && e.start < e.end {
				return true
			}
		}
		return false
	}
	ok := m.dropDuplicateCases(node, env, &edits)
	var skipUntil token.Pos
	ast.Inspect(node, func(n ast.Node) bool {
		if !ok || n == nil || n.Pos() < skipUntil {
			return false
		}
		if n != node && covered(n) {
			return false // the name, type parameters or receiver head rewrites
		}
		if call, isCall := n.(*ast.CallExpr); isCall {
			m.keepConversionVariable(call, env, &edits)
			return true
		}
		if ta, isAssert := n.(*ast.TypeAssertExpr); isAssert && ta.Type != nil {
			if iname, never := m.impossible(m.info.TypeOf(ta.X), m.info.TypeOf(ta.Type), env); never {
				// any(x).(T) compiles; the lowering makes it fail as
				// Go's x.(T) fails, naming x's interface (see
				// lowerTypeAssert).
				edits = append(edits, edit{m.fileOffset(ta.X.Pos()), m.fileOffset(ta.X.Pos()), "any("},
					edit{m.fileOffset(ta.X.End()), m.fileOffset(ta.X.End()), ")"})
				m.s.impossibleAsserts[positionKey(m.s.fset.Position(ta.X.Pos()))] = iname
			}
			return true
		}
		id, isIdent := n.(*ast.Ident)
		if !isIdent {
			return true
		}
		if dep, good := m.use(id, env); !good {
			ok = false
			return false
		} else if dep != nil {
			in.deps = append(in.deps, dep)
			var whole ast.Expr = id
			if p, has := m.parent[id]; has {
				whole = p
			}
			edits = append(edits, edit{m.fileOffset(whole.Pos()), m.fileOffset(whole.End()), dep.name})
			skipUntil = whole.End()
			return false
		}
		if name, ok2, isField := m.embeddedField(id, env); isField {
			if !ok2 {
				ok = false
				return false
			}
			edits = append(edits, edit{m.fileOffset(id.Pos()), m.fileOffset(id.End()), name})
			return false
		}
		if tn, isType := m.info.Uses[id].(*types.TypeName); isType {
			if tp, isParam := tn.Type().(*types.TypeParam); isParam {
				t, bound := env[tp]
				if !bound {
					ok = false
					return false
				}
				edits = append(edits, edit{m.fileOffset(id.Pos()), m.fileOffset(id.End()), parenType(t.src)})
			}
		}
		return false
	})
	if !ok {
		return "", false
	}
	src := m.source[node]
	start, end := m.fileOffset(node.Pos()), m.fileOffset(node.End())
	out, err := applyEdits(src.text[start-src.base:end-src.base], edits, start)
	if err != nil {
		return "", false
	}
	p := m.s.fset.Position(node.Pos())
	if _, isType := node.(*ast.TypeSpec); isType {
		p.Column = max(1, p.Column-len("type "))
	}
	return fmt.Sprintf("\n//line %s:%d:%d\n%s", p.Filename, p.Line, p.Column, out), true
}

// dropDuplicateCases removes from node's type switches the case types
// that the type arguments make repeat an earlier case's (case T: … case
// int: with T int), or that the switch's interface can never hold,
// which compiled code never reaches: Go's first
// matching case wins, and a copy with both would not compile. A case
// left with no type is dead and goes whole. It reports false when it
// cannot keep the meaning: a case of several types left with one would
// give its variable that type instead of the switch's.
func (m *monomorph) dropDuplicateCases(node ast.Node, env map[*types.TypeParam]monoType, edits *[]edit) bool {
	ok := true
	ast.Inspect(node, func(n ast.Node) bool {
		sw, isSwitch := n.(*ast.TypeSwitchStmt)
		if !isSwitch || !ok {
			return ok
		}
		_, binds := sw.Assign.(*ast.AssignStmt)
		seen := map[string]bool{}
		for _, st := range sw.Body.List {
			cc := st.(*ast.CaseClause)
			var keep []string
			dropped := false
			for _, e := range cc.List {
				key, src := "nil", "nil"
				if tv := m.info.Types[e]; !tv.IsNil() {
					r, good := m.render(tv.Type, env, 0)
					if !good {
						ok = false
						return false
					}
					key, src = r.display, parenType(r.src)
					if _, never := m.impossible(m.info.TypeOf(typeSwitchGuard(sw)), tv.Type, env); never {
						// The guard can never hold it: Go's generic
						// code never takes it, and a copy would not
						// compile.
						dropped = true
						continue
					}
				}
				if seen[key] {
					dropped = true
					continue
				}
				seen[key] = true
				keep = append(keep, src)
			}
			switch {
			case !dropped:
			case len(keep) == 0:
				start, end := m.fileOffset(cc.Pos()), m.fileOffset(cc.End())
				src := m.source[node]
				*edits = append(*edits, edit{start, end, strings.Repeat("\n", strings.Count(src.text[start-src.base:end-src.base], "\n"))})
			case len(keep) == 1 && len(cc.List) > 1 && binds:
				// Keep two types, so that the variable keeps the
				// switch's type: the repeated one becomes a type no
				// value has, where the switch is on an empty interface.
				guard := m.info.TypeOf(typeSwitchGuard(sw))
				gr, good := m.render(guard, env, 0)
				if !good {
					ok = false
					return false
				}
				never := neverType(guard, gr.src)
				keep = append(keep, never)
				*edits = append(*edits, edit{m.fileOffset(cc.List[0].Pos()), m.fileOffset(cc.List[len(cc.List)-1].End()), strings.Join(keep, ", ")})
			default:
				*edits = append(*edits, edit{m.fileOffset(cc.List[0].Pos()), m.fileOffset(cc.List[len(cc.List)-1].End()), strings.Join(keep, ", ")})
			}
		}
		return true
	})
	return ok
}

// keepConversionVariable wraps a conversion of a constant to a type
// parameter, T(0), in a function call: in generic code it is a value
// computed when it runs, in a copy it would be a constant, and constants
// are checked when the code compiles (a repeated map key or switch case,
// a division by zero are compile errors, where Go's generic code runs).
func (m *monomorph) keepConversionVariable(call *ast.CallExpr, env map[*types.TypeParam]monoType, edits *[]edit) {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || len(call.Args) != 1 || m.info.Types[call.Args[0]].Value == nil {
		return
	}
	tn, ok := m.info.Uses[id].(*types.TypeName)
	if !ok {
		return
	}
	tp, ok := tn.Type().(*types.TypeParam)
	if !ok {
		return
	}
	t, ok := env[tp]
	if !ok {
		return
	}
	*edits = append(*edits,
		edit{m.fileOffset(call.Pos()), m.fileOffset(call.Pos()), "func() " + t.src + " { return "},
		edit{m.fileOffset(call.End()), m.fileOffset(call.End()), " }()"})
}

// neverType writes a type no value of a cell has (a case of it never
// matches), for a switch on an interface of type guard, written src: on
// the empty interface an unexported struct, on another the interface
// with a method no type has. (A struct embedding the non-empty interface
// would do for that one, but yaegi v0.16.1 does not see the methods such
// a struct promotes.)
func neverType(guard types.Type, src string) string {
	if isEmptyInterface(guard) {
		return "struct{ __nmfkNever [0]func() }"
	}
	return "interface{ " + src + "; __nmfkNever() }"
}

// typeSwitchGuard returns the expression a type switch switches on.
func typeSwitchGuard(sw *ast.TypeSwitchStmt) ast.Expr {
	var x ast.Expr
	switch a := sw.Assign.(type) {
	case *ast.ExprStmt:
		x = a.X
	case *ast.AssignStmt:
		x = a.Rhs[0]
	}
	if ta, ok := x.(*ast.TypeAssertExpr); ok {
		return ta.X
	}
	return x
}

// hoistedType is a type declared inside a function of the cell, moved to
// package level so that a copy can name it: decl declares it there under
// name, which every use in the function takes.
type hoistedType struct {
	name, decl string
	ok         bool
}

// hoist moves a type a function of the cell declares (type S struct{…}
// inside main) to package level as S__nmfkL…, its own declaration going
// and every use of S in the function naming S__nmfkL… instead (yaegi has
// no local alias declarations), so that a copy of a generic can take it
// as a type argument. It is the same type, in the function as before;
// %T names it main.S, and main.S·N inside type arguments, as Go does. It
// cannot when the type is declared in another cell or inside a generic
// function, or mentions anything declared inside a function but such
// types.
func (m *monomorph) hoist(obj *types.TypeName) (monoType, bool) {
	display := fmt.Sprintf("main.%s·%d", obj.Name(), m.localSeq[obj])
	if h, ok := m.hoisted[obj]; ok {
		return monoType{h.name, display}, h.ok
	}
	ts := m.local[obj]
	if ts == nil {
		return monoType{}, false
	}
	start := m.fileOffset(ts.Pos())
	h := sha256.Sum256([]byte(fmt.Sprintf("%d:%d:%s", m.pc.seq, start, obj.Name())))
	ht := &hoistedType{name: obj.Name() + "__nmfkL" + hex.EncodeToString(h[:5])}
	m.hoisted[obj] = ht
	var edits []edit
	ok := true
	ast.Inspect(ts.Type, func(n ast.Node) bool {
		id, isIdent := n.(*ast.Ident)
		if !isIdent || !ok {
			return ok
		}
		used := m.info.Uses[id]
		switch u := used.(type) {
		case nil, *types.PkgName, *types.Builtin, *types.Nil:
			return false
		case *types.TypeName:
			if _, isParam := u.Type().(*types.TypeParam); isParam {
				ok = false
				return false
			}
			if u.Pkg() == nil || u.Parent() == u.Pkg().Scope() {
				return false
			}
			inner, good := m.hoist(u)
			if !good && m.hoisted[u] != m.hoisted[obj] {
				ok = false
				return false
			}
			edits = append(edits, edit{m.fileOffset(id.Pos()), m.fileOffset(id.End()), inner.src})
			return false
		default:
			if used.Pkg() != nil && used.Parent() != used.Pkg().Scope() {
				ok = false // a local constant in an array length, …
			}
			return false
		}
	})
	if !ok {
		return monoType{}, false
	}
	tstart, tend := m.fileOffset(ts.Type.Pos()), m.fileOffset(ts.Type.End())
	text, err := applyEdits(m.pc.src[tstart:tend], edits, tstart)
	if err != nil {
		return monoType{}, false
	}
	p := m.s.fset.Position(ts.Type.Pos())
	ht.decl = fmt.Sprintf("\n//line %s:%d:%d\ntype %s %s", p.Filename, p.Line, p.Column, ht.name, text)
	ht.ok = true
	return monoType{ht.name, display}, true
}

// embeddedField reports whether id names an embedded field of a generic
// type's instance (x.B, or the key B: in a struct literal), and the
// field's name in the copies: the copy's name. ok is false when that
// copy cannot be made.
func (m *monomorph) embeddedField(id *ast.Ident, env map[*types.TypeParam]monoType) (name string, ok, isField bool) {
	v, isVar := m.info.Uses[id].(*types.Var)
	if !isVar || !v.IsField() || !v.Embedded() {
		return "", false, false
	}
	t := types.Unalias(v.Type())
	if p, isPtr := t.(*types.Pointer); isPtr {
		t = types.Unalias(p.Elem())
	}
	n, isNamed := t.(*types.Named)
	if !isNamed || n.TypeArgs().Len() == 0 || n.Obj().Pkg() != m.pkg || m.decls[n.Origin().Obj()] == nil {
		return "", false, false
	}
	r, ok := m.render(n, env, 0)
	return r.src, ok, true
}

// parenType parenthesizes a type where its text would read otherwise
// as part of an expression (*T(x), func()(x), <-chan T(x)).
func parenType(src string) string {
	if strings.HasPrefix(src, "*") || strings.HasPrefix(src, "func") || strings.HasPrefix(src, "<-") || strings.HasPrefix(src, "chan") {
		return "(" + src + ")"
	}
	return src
}

// settle marks as failed every copy that needs a failed one.
func (m *monomorph) settle() {
	for changed := true; changed; {
		changed = false
		for _, in := range m.order {
			if in.failed {
				continue
			}
			for _, d := range in.deps {
				if d.failed {
					in.failed, changed = true, true
					break
				}
			}
		}
	}
}

// render writes t with env's types for its type parameters, or reports
// that it cannot be written at package level in the cell's file.
func (m *monomorph) render(t types.Type, env map[*types.TypeParam]monoType, depth int) (monoType, bool) {
	if depth > 20 {
		return monoType{}, false
	}
	elem := func(t types.Type) (monoType, bool) { return m.render(t, env, depth+1) }
	switch t := t.(type) {
	case *types.Alias:
		return m.render(types.Unalias(t), env, depth+1)
	case *types.Basic:
		switch t.Kind() {
		case types.Byte:
			return monoType{"byte", "uint8"}, true
		case types.Rune:
			return monoType{"rune", "int32"}, true
		case types.UnsafePointer, types.Invalid:
			return monoType{}, false
		}
		if t.Info()&types.IsUntyped != 0 {
			return monoType{}, false
		}
		return monoType{t.Name(), t.Name()}, true
	case *types.TypeParam:
		a, ok := env[t]
		return a, ok
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() == nil {
			return monoType{obj.Name(), obj.Name()}, true // error
		}
		if obj.Parent() != obj.Pkg().Scope() {
			return m.hoist(obj) // declared inside a function
		}
		var args []monoType
		for i := range t.TypeArgs().Len() {
			a, ok := elem(t.TypeArgs().At(i))
			if !ok {
				return monoType{}, false
			}
			args = append(args, a)
		}
		if obj.Pkg() == m.pkg {
			if len(args) > 0 {
				if _, ok := m.decls[obj]; !ok {
					return monoType{}, false
				}
				in := m.instance(obj, args)
				if in.failed {
					return monoType{}, false
				}
				return monoType{in.name, in.display}, true
			}
			return monoType{obj.Name(), "main." + obj.Name()}, true
		}
		name, ok := m.names[obj.Pkg().Path()]
		if !ok || !obj.Exported() {
			return monoType{}, false
		}
		mt := monoType{name + "." + obj.Name(), obj.Pkg().Path() + "." + obj.Name()}
		if len(args) > 0 {
			var src, disp []string
			for _, a := range args {
				src, disp = append(src, a.src), append(disp, a.display)
			}
			mt.src += "[" + strings.Join(src, ", ") + "]"
			mt.display += "[" + strings.Join(disp, ",") + "]"
		}
		return mt, true
	case *types.Pointer:
		e, ok := elem(t.Elem())
		return monoType{"*" + e.src, "*" + e.display}, ok
	case *types.Slice:
		e, ok := elem(t.Elem())
		return monoType{"[]" + e.src, "[]" + e.display}, ok
	case *types.Array:
		e, ok := elem(t.Elem())
		n := fmt.Sprintf("[%d]", t.Len())
		return monoType{n + e.src, n + e.display}, ok
	case *types.Map:
		k, ok1 := elem(t.Key())
		e, ok2 := elem(t.Elem())
		return monoType{"map[" + k.src + "]" + e.src, "map[" + k.display + "]" + e.display}, ok1 && ok2
	case *types.Chan:
		e, ok := elem(t.Elem())
		prefix := "chan "
		switch t.Dir() {
		case types.SendOnly:
			prefix = "chan<- "
		case types.RecvOnly:
			prefix = "<-chan "
		}
		if t.Dir() != types.RecvOnly && strings.HasPrefix(e.src, "<-") {
			e.src = "(" + e.src + ")"
		}
		return monoType{prefix + e.src, prefix + e.display}, ok
	case *types.Signature:
		if t.TypeParams().Len() > 0 {
			return monoType{}, false
		}
		var ps, pd, rs, rd []string
		for i := range t.Params().Len() {
			p, ok := elem(t.Params().At(i).Type())
			if !ok {
				return monoType{}, false
			}
			if t.Variadic() && i == t.Params().Len()-1 {
				p.src, p.display = "..."+strings.TrimPrefix(p.src, "[]"), "..."+strings.TrimPrefix(p.display, "[]")
			}
			ps, pd = append(ps, p.src), append(pd, p.display)
		}
		for i := range t.Results().Len() {
			r, ok := elem(t.Results().At(i).Type())
			if !ok {
				return monoType{}, false
			}
			rs, rd = append(rs, r.src), append(rd, r.display)
		}
		mt := monoType{"func(" + strings.Join(ps, ", ") + ")", "func(" + strings.Join(pd, ", ") + ")"}
		switch len(rs) {
		case 0:
		case 1:
			mt.src += " " + rs[0]
			mt.display += " " + rd[0]
		default:
			mt.src += " (" + strings.Join(rs, ", ") + ")"
			mt.display += " (" + strings.Join(rd, ", ") + ")"
		}
		return mt, true
	case *types.Struct:
		if t.NumFields() == 0 {
			return monoType{"struct{}", "struct {}"}, true
		}
		var fs, fd []string
		for i := range t.NumFields() {
			f := t.Field(i)
			if !f.Exported() && f.Pkg() != m.pkg {
				return monoType{}, false
			}
			ft, ok := elem(f.Type())
			if !ok {
				return monoType{}, false
			}
			s, d := ft.src, ft.display
			if !f.Embedded() {
				s, d = f.Name()+" "+s, f.Name()+" "+d
			} else if _, named := types.Unalias(f.Type()).(*types.Named); !named {
				return monoType{}, false
			}
			if tag := t.Tag(i); tag != "" {
				s += " " + strconv.Quote(tag)
				d += " " + strconv.Quote(tag)
			}
			fs, fd = append(fs, s), append(fd, d)
		}
		return monoType{"struct{ " + strings.Join(fs, "; ") + " }", "struct { " + strings.Join(fd, "; ") + " }"}, true
	case *types.Interface:
		if t.Empty() && !t.IsComparable() {
			return monoType{"interface{}", "interface {}"}, true
		}
		if t.NumEmbeddeds() > 0 || t.IsImplicit() {
			return monoType{}, false
		}
		var ms, md []string
		for i := range t.NumExplicitMethods() {
			f := t.ExplicitMethod(i)
			if !f.Exported() && f.Pkg() != m.pkg {
				return monoType{}, false
			}
			sig, ok := elem(f.Type())
			if !ok {
				return monoType{}, false
			}
			ms, md = append(ms, f.Name()+strings.TrimPrefix(sig.src, "func")), append(md, f.Name()+strings.TrimPrefix(sig.display, "func"))
		}
		return monoType{"interface{ " + strings.Join(ms, "; ") + " }", "interface { " + strings.Join(md, "; ") + " }"}, true
	}
	return monoType{}, false
}

// monoName matches the name of a generic's copy.
var monoName = regexp.MustCompile(`\w+__nmfk[IL][0-9a-f]{10}`)

// unmono writes the copies of generics named in msg (an error message)
// as the instances they stand for.
func (s *Session) unmono(msg string) string {
	if !strings.Contains(msg, "__nmfk") {
		return msg
	}
	return monoName.ReplaceAllStringFunc(msg, func(name string) string {
		if d, ok := s.monoDisplay[name]; ok {
			return strings.TrimPrefix(d, "main.")
		}
		return name
	})
}

// genericOf names the generic function or type d declares, or whose
// method d is; "" when it is not generic.
func genericOf(d ast.Decl) string {
	if names := genericNames(d); len(names) > 0 {
		return names[0]
	}
	if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) > 0 {
		t := fd.Recv.List[0].Type
		if st, ok := t.(*ast.StarExpr); ok {
			t = st.X
		}
		switch x := t.(type) {
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		default:
			return ""
		}
		if id, ok := t.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// lowerGenericDecl lowers a generic declaration (or a method of a
// generic type). Its code runs in the interpreter only for the
// instantiations monomorph.go does not copy; so a construct in it that
// the lowering refuses does not refuse the cell: the declaration is
// left out of the interpreter, and a use that would run it is refused
// with the reason (refuseDeferredGeneric).
func (l *lowering) lowerGenericDecl(d ast.Decl) {
	name := genericOf(d)
	saved := l.err
	l.err = nil
	l.walk(d)
	if l.err == nil {
		l.err = saved
		if l.kept == nil {
			l.kept = map[string]bool{}
		}
		l.kept[name] = true
		return
	}
	if l.deferred == nil {
		l.deferred = map[string]error{}
	}
	if _, dup := l.deferred[name]; !dup {
		l.deferred[name] = l.err
	}
	l.err = saved
	start, end := l.off(d.Pos()), l.off(d.End())
	orig := l.pc.src[start:end]
	l.render(start, end) // drops the edits inside
	l.edits = append(l.edits, edit{start, end, padLines(orig, "")})
}

// refuseDeferredGeneric refuses a use of a generic whose code the
// lowering refused, where the use is not one of the copies.
func (l *lowering) refuseDeferredGeneric(id *ast.Ident) {
	if _, ok := l.info.Instances[id]; !ok {
		return
	}
	obj := l.info.Uses[id]
	if obj == nil || obj.Pkg() != l.pkg {
		return
	}
	err, ok := l.deferred[obj.Name()]
	if !ok && !l.kept[obj.Name()] {
		err, ok = l.s.deferredGenerics[obj.Name()]
	}
	if !ok {
		return
	}
	msg := err.Error()
	if ue, isUnsupported := err.(*unsupportedError); isUnsupported {
		msg = ue.msg
		if m := regexp.MustCompile(`:(\d+):(\d+)$`).FindStringSubmatch(ue.pos); m != nil {
			line, _ := strconv.Atoi(m[1])
			seq, cellLine := decodePos(line)
			msg = fmt.Sprintf("%s, line %d:%s: %s", l.s.cellLabel(seq), cellLine, m[2], ue.msg)
		}
	}
	l.fail(id.Pos(), "%s is used here with type arguments its code is not copied for (a type declared inside a function, or an embedded field; docs/engine.md), and the interpreter cannot run that code as written: %s", obj.Name(), msg)
}
