package engine

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"
)

// sessionDecl is one declaration the session holds: a cell's type, func,
// const or var declaration, or a variable a cell's statement declared.
type sessionDecl struct {
	names  []string
	isType bool
	// text is the declaration as written, to tell a re-run of the same
	// declaration (a no-op) from a change.
	text string
	// typ is the type of a variable declared by a statement.
	typ types.Type
	// isVar marks a var declaration, whose values a rebuilt interpreter
	// keeps.
	isVar bool
	// file holds the declaration for the type checker, with the imports
	// of the cell it came from.
	file *ast.File
	// interp declares it in the interpreter (replayed when a type change
	// rebuilds the interpreter).
	interp string
}

// checkState is the session's package as go/types sees it.
type checkState struct {
	pkg   *types.Package
	dirty bool // the package must be rebuilt from the session's declarations
}

// runCell parses, checks, lowers and runs one cell: nothing runs unless
// the whole cell compiles. Each step is a function of its own.
func (s *Session) runCell(ctx context.Context, seq, count int, code string) (err error) {
	pc, err := parseCell(s.fset, seq, code, s.imports)
	if err != nil {
		return err
	}
	if pc.body == nil {
		return fmt.Errorf("cell:1:1: the cell could not be read as Go")
	}
	changes := s.compareDecls(pc)
	pc, changes = s.withCopies(pc, changes)
	info, err := s.check(pc, changes.skip, changes.redefined)
	if err != nil {
		return err
	}
	l, err := s.lowerCell(pc, info, changes.skip)
	if err != nil {
		// The check added the refused cell's declarations to the
		// session's package: the next cell must not see them.
		s.checked.dirty = true
		return err
	}
	defer func() {
		if l.constant != nil && err == nil {
			s.result, s.resultIsCall = l.constant, false
		}
	}()
	if simpleCell(pc, l) {
		return s.runSimple(ctx, pc, l)
	}
	prog, err := s.assemble(pc, l, changes)
	if err != nil {
		return err
	}
	if err := s.load(ctx, prog, changes); err != nil {
		return err
	}
	s.commit(pc, l, prog, changes)
	return s.call(ctx)
}

// withCopies returns the cell with its uses of the cells' generics
// turned into uses of copies (monomorph.go), when there are any and the
// result compiles as Go; otherwise the cell as it is.
func (s *Session) withCopies(pc *parsedCell, changes declChanges) (out *parsedCell, outChanges declChanges) {
	defer func() {
		// A bug of the planning must not take the kernel down: the cell
		// then runs as written.
		if recover() != nil {
			out, outChanges = pc, changes
		}
	}()
	plan := s.monomorphize(pc, changes)
	if plan == nil {
		return pc, changes
	}
	mono, err := parseCellWith(s.fset, pc.seq, plan.code, s.imports, plan.extra)
	if err != nil || mono.body == nil {
		return pc, changes
	}
	monoChanges := s.compareDecls(mono)
	if _, info := s.checkWhole(mono, monoChanges, nil, false); info == nil {
		return pc, changes
	}
	for name, display := range plan.display {
		s.monoDisplay[name] = display
	}
	for _, c := range plan.copies {
		s.copies[c.name] = c
	}
	return mono, monoChanges
}

// declChanges is how a cell's declarations compare with the session's.
type declChanges struct {
	// skip are declarations the session has with the same text: no-ops.
	skip map[ast.Decl]bool
	// redefined are the names the cell declares anew.
	redefined map[string]bool
	// typeRedefined: one of them is a type (the interpreter is rebuilt).
	typeRedefined bool
}

// compareDecls compares the cell's declarations with the session's:
// unchanged ones are left out, changed ones replace the session's.
func (s *Session) compareDecls(pc *parsedCell) declChanges {
	c := declChanges{skip: map[ast.Decl]bool{}, redefined: map[string]bool{}}
	for _, d := range pc.decls {
		text := pc.src[pc.offset(d.Pos()):pc.offset(d.End())]
		names := declNames(d)
		if old := s.declOf(names); old != nil && old.text == text && len(old.names) == len(names) {
			c.skip[d] = true
			continue
		}
		for _, n := range names {
			if old := s.declNamed(n); old != nil {
				c.redefined[n] = true
				c.typeRedefined = c.typeRedefined || old.isType
			}
		}
	}
	return c
}

// lowerCell rewrites the checked cell into Go yaegi runs as Go would, or
// refuses it (see the lower*.go files).
func (s *Session) lowerCell(pc *parsedCell, info *types.Info, skip map[ast.Decl]bool) (*lowering, error) {
	l := &lowering{s: s, pc: pc, info: info, pkg: s.checked.pkg, skip: skip, called: map[*ast.SelectorExpr]bool{}}
	l.lower()
	if l.err != nil {
		return nil, l.err
	}
	if len(l.missing) > 0 {
		return nil, &MissingInstancesError{Instances: l.missing}
	}
	return l, nil
}

// runSimple runs a cell of simple statements, checked as a whole, each as
// a top-level statement of its own, which yaegi runs without a function of
// the cell's (several statements in one evaluation grow its global frame
// with every cell).
func (s *Session) runSimple(ctx context.Context, pc *parsedCell, l *lowering) error {
	s.result = nil
	for _, st := range pc.body.Body.List {
		start := strings.LastIndex(pc.src[:pc.offset(st.Pos())], "\n//line ")
		end := pc.offset(st.End())
		var edits []edit
		for _, e := range l.edits {
			if e.start >= start && e.end <= end && !strings.HasPrefix(e.text, "__nmfkTop = ") {
				edits = append(edits, e)
			}
		}
		src, err := applyEdits(pc.src[start:end], edits, start)
		if err != nil {
			return err
		}
		if strings.TrimSpace(src[strings.Index(src[1:], "\n")+1:]) == "" {
			continue // a constant last expression, shown without running
		}
		p := pc.fset.Position(st.Pos())
		s.simpleTop = p.Line*1000 + min(p.Column, 999)
		if _, err := s.eval(ctx, src); err != nil {
			return err
		}
	}
	return nil
}

// program is a lowered cell as the interpreter receives it.
type program struct {
	// declText is the cell's declarations; bodyText its statements in a
	// function __nmfkernelCell, redeclared by every cell (a named
	// function: calling a function literal would copy the interpreter's
	// whole global frame each time).
	declText, bodyText string
	// newImports are the imports the interpreter does not have yet.
	newImports map[string]string
	// added are the session's declarations the cell adds or replaces.
	added []*sessionDecl
	// newVars are the cell's top-level variables the session lacks.
	newVars []hoisted
}

// source is the program's text: declarations, new variables, statements.
func (p *program) source() string {
	var b strings.Builder
	b.WriteString(p.declText)
	for _, h := range p.newVars {
		b.WriteString("\n" + h.decl)
	}
	b.WriteString("\n" + p.bodyText)
	return b.String()
}

// assemble applies the lowering's edits and works out what the cell adds
// to the session.
func (s *Session) assemble(pc *parsedCell, l *lowering, changes declChanges) (*program, error) {
	body := pc.body
	bodyStart := pc.offset(body.Pos())
	l.edits = append(l.edits,
		edit{bodyStart, pc.offset(body.Body.Lbrace) + 1, lineDirective(pc.seq, 0, 1) + "func __nmfkernelCell() { __nmfkAt, __nmfkTop = 0, 0; "})
	var declEdits, bodyEdits []edit
	for _, e := range l.edits {
		if e.start >= bodyStart {
			bodyEdits = append(bodyEdits, e)
		} else {
			declEdits = append(declEdits, e)
		}
	}
	p := &program{newImports: map[string]string{}}
	var err error
	if p.declText, err = applyEdits(pc.src[pc.headerLen:bodyStart], declEdits, pc.headerLen); err != nil {
		return nil, err
	}
	if p.bodyText, err = applyEdits(pc.src[bodyStart:], bodyEdits, bodyStart); err != nil {
		return nil, err
	}
	for name, path := range pc.importsByName() {
		if s.importer.interpretable(path) && s.interpImports[name] != path {
			p.newImports[name] = path
		}
	}
	for name, path := range l.hidden {
		if s.interpImports[name] != path {
			p.newImports[name] = path
		}
	}
	cellImports := importDecls(pc.file)
	for _, d := range pc.decls {
		if changes.skip[d] {
			continue
		}
		start := strings.LastIndex(pc.src[:pc.offset(d.Pos())], "\n//line ")
		var dEdits []edit
		for _, e := range declEdits {
			if e.start >= start && e.end <= pc.offset(d.End()) {
				dEdits = append(dEdits, e)
			}
		}
		interpText, err := applyEdits(pc.src[start:pc.offset(d.End())], dEdits, start)
		if err != nil {
			return nil, err
		}
		sd := &sessionDecl{
			names:  declNames(d),
			text:   pc.src[pc.offset(d.Pos()):pc.offset(d.End())],
			file:   &ast.File{Name: pc.file.Name, Decls: append(slices.Clone(cellImports), d), FileStart: pc.file.FileStart, FileEnd: pc.file.FileEnd},
			interp: interpText + "\n",
		}
		if g, ok := d.(*ast.GenDecl); ok {
			sd.isType = g.Tok == token.TYPE
			sd.isVar = g.Tok == token.VAR
		}
		p.added = append(p.added, sd)
	}
	for _, h := range l.hoisted {
		if old := s.declNamed(h.name); old != nil && old.typ != nil && types.Identical(old.typ, h.typ) {
			continue
		}
		p.newVars = append(p.newVars, h)
	}
	return p, nil
}

// load gives the program to the interpreter: to the running one, or, when
// the cell changes a type, to one rebuilt from the session's declarations.
func (s *Session) load(ctx context.Context, p *program, changes declChanges) error {
	if changes.typeRedefined {
		return s.rebuild(ctx, changes.redefined, p.added, p.newImports, p.source())
	}
	if len(p.newImports) > 0 {
		if _, err := s.eval(ctx, importSource(p.newImports)); err != nil {
			return err
		}
		for name, path := range p.newImports {
			s.interpImports[name] = path
		}
	}
	if _, err := s.eval(ctx, p.source()); err != nil {
		s.checked.dirty = true
		return err
	}
	return nil
}

// commit records the cell's imports, declarations and variables as the
// session's.
func (s *Session) commit(pc *parsedCell, l *lowering, p *program, changes declChanges) {
	for name, path := range p.newImports {
		s.interpImports[name] = path
	}
	for name, path := range pc.importsByName() {
		s.imports[name] = path
	}
	s.replaceDecls(changes.redefined, p.added)
	for name := range l.kept {
		delete(s.deferredGenerics, name)
	}
	for name, err := range l.deferred {
		s.deferredGenerics[name] = err
	}
	for _, h := range p.newVars {
		s.addVar(h, l.hidden)
	}
}

// call runs the cell's statements.
func (s *Session) call(ctx context.Context) error {
	s.result = nil
	_, err := s.eval(ctx, "__nmfkernelCell()")
	return err
}

// importSource declares imports for the interpreter.
func importSource(imports map[string]string) string {
	var b strings.Builder
	names := make([]string, 0, len(imports))
	for n := range imports {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "import %s %q\n", n, imports[n])
	}
	return b.String()
}

func importDecls(f *ast.File) []ast.Decl {
	var out []ast.Decl
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			out = append(out, d)
		}
	}
	return out
}

// declNamed returns the session's declaration of name.
func (s *Session) declNamed(name string) *sessionDecl {
	for _, d := range s.decls {
		if slices.Contains(d.names, name) {
			return d
		}
	}
	return nil
}

// declOf returns the session's declaration of all of names, if one
// declaration declares them.
func (s *Session) declOf(names []string) *sessionDecl {
	if len(names) == 0 {
		return nil
	}
	d := s.declNamed(names[0])
	if d == nil {
		return nil
	}
	for _, n := range names[1:] {
		if !slices.Contains(d.names, n) {
			return nil
		}
	}
	return d
}

// replaceDecls drops the declarations of redefined names and adds the
// cell's.
func (s *Session) replaceDecls(redefined map[string]bool, added []*sessionDecl) {
	s.decls = slices.DeleteFunc(s.decls, func(d *sessionDecl) bool {
		for _, n := range d.names {
			if redefined[n] {
				return true
			}
		}
		return false
	})
	s.decls = append(s.decls, added...)
	s.generics = map[string]bool{}
	for _, d := range s.decls {
		if d.file != nil && len(d.file.Decls) > 0 {
			for _, name := range genericNames(d.file.Decls[len(d.file.Decls)-1]) {
				s.generics[name] = true
			}
		}
	}
}

// addVar records a variable a statement declared: for the type checker
// in the session's package, and as a declaration to replay.
func (s *Session) addVar(h hoisted, hidden map[string]string) {
	s.dropDecl(h.name)
	imports := map[string]string{}
	for n, p := range s.imports {
		imports[n] = p
	}
	for n, p := range hidden {
		imports[n] = p
	}
	src := "package main\n" + importSource(imports) + h.decl + "\n"
	f, err := parser.ParseFile(s.fset, "_.go", src, parser.SkipObjectResolution)
	if err != nil {
		return
	}
	s.decls = append(s.decls, &sessionDecl{names: []string{h.name}, typ: h.typ, file: f, interp: h.decl + "\n"})
	scope := s.checked.pkg.Scope()
	if old := scope.Lookup(h.name); old == nil {
		scope.Insert(types.NewVar(token.NoPos, s.checked.pkg, h.name, h.typ))
	} else if !types.Identical(old.Type(), h.typ) {
		s.checked.dirty = true
	}
}

func (s *Session) dropDecl(name string) {
	s.decls = slices.DeleteFunc(s.decls, func(d *sessionDecl) bool { return slices.Contains(d.names, name) })
}

// checkFiles runs the type checker, turning a crash of it into an error:
// a cell must never take the session down with it.
func checkFiles(conf *types.Config, fset *token.FileSet, pkg *types.Package, info *types.Info, files []*ast.File) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the type checker failed on this cell (%v); the session is unchanged", r)
		}
	}()
	_ = types.NewChecker(conf, fset, pkg, info).Files(files)
	return nil
}

// addsMethodToOldType reports whether f declares a method on a type that f
// does not declare.
func addsMethodToOldType(f *ast.File) bool {
	own := map[string]bool{}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, sp := range g.Specs {
				own[sp.(*ast.TypeSpec).Name.Name] = true
			}
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 {
			continue
		}
		t := fd.Recv.List[0].Type
		for {
			switch x := t.(type) {
			case *ast.StarExpr:
				t = x.X
				continue
			case *ast.ParenExpr:
				t = x.X
				continue
			case *ast.IndexExpr:
				t = x.X
				continue
			case *ast.IndexListExpr:
				t = x.X
				continue
			}
			break
		}
		if id, ok := t.(*ast.Ident); ok && !own[id.Name] {
			return true
		}
	}
	return false
}

// check type-checks the cell against the session's package: incrementally
// when it redefines nothing, else with the package rebuilt from the
// session's declarations and the cell together (so declarations that use
// a changed one are checked against the change).
func (s *Session) check(pc *parsedCell, skip map[ast.Decl]bool, redefined map[string]bool) (*types.Info, error) {
	cf := *pc.file
	cf.Decls = slices.DeleteFunc(slices.Clone(cf.Decls), func(d ast.Decl) bool { return skip[d] })
	files := []*ast.File{&cf}
	pkg := s.checked.pkg
	// go/types cannot add a method to a type an earlier check declared
	// (it crashes looking for the type's declaration), so a cell that
	// declares a method on an earlier cell's type is checked with the
	// package rebuilt.
	rebuilt := s.checked.dirty || len(redefined) > 0 || addsMethodToOldType(&cf)
	if rebuilt {
		pkg = types.NewPackage("main", "main")
		var old []*ast.File
		for _, d := range s.decls {
			keep := true
			for _, n := range d.names {
				if redefined[n] || (d.typ != nil && mentionsRedefined(d.typ, redefined)) {
					keep = false
				}
			}
			if keep {
				old = append(old, d.file)
			}
		}
		files = append(old, files...)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
		Implicits:  map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	var errs []types.Error
	conf := &types.Config{Importer: s.importer, Sizes: gcSizes, Error: func(err error) {
		var te types.Error
		if errors.As(err, &te) {
			errs = append(errs, te)
		}
	}}
	if err := checkFiles(conf, s.fset, pkg, info, files); err != nil {
		s.checked.dirty = true
		return nil, err
	}
	for _, e := range errs {
		if ignoredCheckError(pc, e) {
			continue
		}
		s.checked.dirty = true
		return nil, fmt.Errorf("%s: %s", s.fset.Position(e.Pos), s.unmono(e.Msg))
	}
	if rebuilt {
		s.checked = checkState{pkg: pkg}
	}
	return info, nil
}

// ignoredCheckError tells the errors Go gives that a notebook does not:
// unused imports and variables (a cell's variables outlive it), and the
// value of the cell's last expression, which is shown.
func ignoredCheckError(pc *parsedCell, e types.Error) bool {
	switch {
	case strings.Contains(e.Msg, "declared and not used"), strings.Contains(e.Msg, "imported") && strings.HasSuffix(e.Msg, "and not used"):
		return true
	case strings.HasSuffix(e.Msg, "is not used"):
		// A top-level expression statement: its value is shown, or
		// (ending with ';') dropped.
		for _, st := range pc.body.Body.List {
			if es, ok := st.(*ast.ExprStmt); ok && e.Pos >= es.Pos() && e.Pos < es.End() {
				return true
			}
		}
	}
	return false
}

// mentionsRedefined reports whether t names one of the redefined types.
func mentionsRedefined(t types.Type, redefined map[string]bool) bool {
	return findNamed(t, func(n *types.Named) bool {
		return n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "main" && redefined[n.Obj().Name()]
	}) != nil
}

// findNamed returns the first named type in t (itself, its elements,
// fields, parameters and type arguments) that match accepts, or nil.
func findNamed(t types.Type, match func(*types.Named) bool) *types.Named {
	var found *types.Named
	var visit func(t types.Type, depth int)
	visit = func(t types.Type, depth int) {
		if found != nil || depth > 20 {
			return
		}
		switch t := t.(type) {
		case *types.Named:
			if match(t) {
				found = t
				return
			}
			for i := range t.TypeArgs().Len() {
				visit(t.TypeArgs().At(i), depth+1)
			}
		case *types.Pointer:
			visit(t.Elem(), depth+1)
		case *types.Slice:
			visit(t.Elem(), depth+1)
		case *types.Array:
			visit(t.Elem(), depth+1)
		case *types.Map:
			visit(t.Key(), depth+1)
			visit(t.Elem(), depth+1)
		case *types.Chan:
			visit(t.Elem(), depth+1)
		case *types.Signature:
			for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tu.Len() {
					visit(tu.At(i).Type(), depth+1)
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				visit(t.Field(i).Type(), depth+1)
			}
		}
	}
	visit(t, 0)
	return found
}

// rebuild replaces the interpreter when a cell changes a type (yaegi
// would keep using the old one): a fresh interpreter gets the session's
// imports and declarations, except those the cell replaces, together
// with the cell's, and every variable whose type does not involve a
// changed type keeps its value. Those that do are dropped, by name.
func (s *Session) rebuild(ctx context.Context, redefined map[string]bool, added []*sessionDecl, newImports map[string]string, declText string) error {
	before := s.globals()
	oldImports := s.interpImports
	if err := s.newInterpreter(); err != nil {
		return err
	}
	imports := map[string]string{}
	for n, p := range oldImports {
		if s.interpImports[n] != p {
			imports[n] = p
		}
	}
	for n, p := range newImports {
		imports[n] = p
	}
	var src strings.Builder
	if _, err := s.eval(ctx, importSource(imports)); err != nil {
		return fmt.Errorf("a type was redefined, and importing the session's packages again failed: %w", err)
	}
	var dropped []string
	var kept []*sessionDecl
	for _, d := range s.decls {
		replaced := false
		for _, n := range d.names {
			if redefined[n] {
				replaced = true
			}
		}
		if replaced {
			continue
		}
		if d.typ != nil && mentionsRedefined(d.typ, redefined) {
			dropped = append(dropped, d.names...)
			continue
		}
		kept = append(kept, d)
		src.WriteString(d.interp)
	}
	src.WriteString(declText)
	if _, err := s.eval(ctx, src.String()); err != nil {
		return fmt.Errorf("a type was redefined, and declaring the session again failed: %w", err)
	}
	for n, p := range imports {
		s.interpImports[n] = p
	}
	after := s.globals()
	for _, d := range kept {
		if d.typ == nil && !d.isVar {
			continue
		}
		for _, name := range d.names {
			if name == "_" {
				continue
			}
			old, ok1 := before[name]
			nv, ok2 := after[name]
			if ok1 && ok2 && !transfer(nv, old) {
				dropped = append(dropped, name)
			}
		}
	}
	s.decls = slices.DeleteFunc(s.decls, func(d *sessionDecl) bool {
		return d.typ != nil && slices.Contains(dropped, d.names[0])
	})
	if len(dropped) > 0 {
		slices.Sort(dropped)
		s.checked.dirty = true
		fmt.Fprintf(s.stderr, "type redefined: these variables held values of the old type and are undefined now: %s\n", strings.Join(dropped, ", "))
	}
	return nil
}

// transfer sets dst (a variable of the new interpreter) to src's value,
// converting values of the interpreter's types (rebuilt, so distinct Go
// types of the same shape) field by field.
func transfer(dst, src reflect.Value) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if !dst.CanSet() {
		return false
	}
	v, ok := convertValue(src, dst.Type(), 0)
	if !ok {
		return false
	}
	dst.Set(v)
	return true
}

func convertValue(v reflect.Value, t reflect.Type, depth int) (reflect.Value, bool) {
	if depth > 50 {
		return reflect.Value{}, false
	}
	if v.Type() == t {
		return v, true
	}
	if v.Kind() != t.Kind() {
		return reflect.Value{}, false
	}
	switch t.Kind() {
	case reflect.Struct:
		out := reflect.New(t).Elem()
		if v.NumField() != t.NumField() {
			return reflect.Value{}, false
		}
		for i := range t.NumField() {
			if t.Field(i).Name != v.Type().Field(i).Name || !out.Field(i).CanSet() {
				return reflect.Value{}, false
			}
			f, ok := convertValue(v.Field(i), t.Field(i).Type, depth+1)
			if !ok {
				return reflect.Value{}, false
			}
			out.Field(i).Set(f)
		}
		return out, true
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			e, ok := convertValue(v.Index(i), t.Elem(), depth+1)
			if !ok {
				return reflect.Value{}, false
			}
			out.Index(i).Set(e)
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, ok1 := convertValue(it.Key(), t.Key(), depth+1)
			e, ok2 := convertValue(it.Value(), t.Elem(), depth+1)
			if !ok1 || !ok2 {
				return reflect.Value{}, false
			}
			out.SetMapIndex(k, e)
		}
		return out, true
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(t), true
		}
		e, ok := convertValue(v.Elem(), t.Elem(), depth+1)
		if !ok {
			return reflect.Value{}, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	}
	if v.Type().ConvertibleTo(t) && t.Kind() != reflect.Func && t.Kind() != reflect.Interface && t.Kind() != reflect.Chan {
		return v.Convert(t), true
	}
	return reflect.Value{}, false
}

// unreadError shows, as a warning on the cell's stderr, an error that a
// cell assigned to a variable at its top level and never looked at.
func (s *Session) unreadError(name string, err error) {
	if err == nil {
		return
	}
	fmt.Fprintf(s.stderr, "warning: %s is not nil and was not checked: %v\n", name, err)
}

// constantValue converts the value of a constant expression of a
// predeclared type, such as 1+1, to Go.
func constantValue(tv types.TypeAndValue) (any, bool) {
	b, ok := tv.Type.(*types.Basic)
	if tv.Value == nil || !ok {
		return nil, false
	}
	v := tv.Value
	switch b.Kind() {
	case types.Bool, types.UntypedBool:
		return constant.BoolVal(v), true
	case types.String, types.UntypedString:
		return constant.StringVal(v), true
	case types.Int, types.UntypedInt:
		if i, exact := constant.Int64Val(v); exact && int64(int(i)) == i {
			return int(i), true
		}
	case types.UntypedRune, types.Int32:
		if i, exact := constant.Int64Val(v); exact && int64(int32(i)) == i {
			return int32(i), true
		}
	case types.Float64, types.UntypedFloat:
		f, _ := constant.Float64Val(v)
		return f, true
	}
	return nil, false
}

// simpleCell reports whether a cell is only simple statements (expressions,
// assignments to existing variables, sends, increments) with nothing
// declared: such a cell needs no function of its own.
func simpleCell(pc *parsedCell, l *lowering) bool {
	if len(pc.decls) > 0 || len(pc.imports) > 0 || len(l.hoisted) > 0 || len(l.hidden) > 0 || len(l.unread) > 0 {
		return false
	}
	for _, st := range pc.body.Body.List {
		switch st := st.(type) {
		case *ast.ExprStmt, *ast.IncDecStmt, *ast.SendStmt:
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				return false
			}
		default:
			return false
		}
		simple := true
		ast.Inspect(st, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				simple = false // yaegi runs a top-level call of a function literal again later
			}
			return simple
		})
		if !simple {
			return false
		}
	}
	return true
}
