package engine

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"
	"nmfkernel/symbols"
)

// symbolImporter gives go/types the packages cells can import, built from
// the same yaegi symbol tables the interpreter uses (so a cell type-checks
// against exactly what it can call), plus the generic standard library
// packages that yaegi's tables leave out, declared from source in
// generics.go. One importer is shared by every session: the packages it
// builds are immutable once made.
type symbolImporter struct {
	mu      sync.Mutex
	exports map[string]map[string]reflect.Value // import path → symbols
	pkgs    map[string]*types.Package
	types   map[reflect.Type]types.Type
	fset    *token.FileSet
	// renamed maps a type the tables export under another name (the
	// kernel's wrapper of log.Logger) to that package and name.
	renamed map[reflect.Type][2]string
}

var (
	sharedImporterOnce sync.Once
	sharedImporter     *symbolImporter
)

// cellImporter returns the importer for the given symbol tables, made once.
func cellImporter(tables ...interp.Exports) *symbolImporter {
	sharedImporterOnce.Do(func() {
		im := &symbolImporter{
			exports: map[string]map[string]reflect.Value{},
			pkgs:    map[string]*types.Package{"unsafe": types.Unsafe},
			types:   map[reflect.Type]types.Type{},
			fset:    token.NewFileSet(),
			renamed: map[reflect.Type][2]string{},
		}
		for _, t := range tables {
			for key, syms := range t {
				slash := strings.LastIndexByte(key, '/')
				if slash < 0 {
					continue
				}
				path := key[:slash]
				if im.exports[path] == nil {
					im.exports[path] = map[string]reflect.Value{}
				}
				for name, v := range syms {
					im.exports[path][name] = v
					if v.Kind() == reflect.Pointer && v.IsNil() && !strings.HasPrefix(name, "_") {
						if t := v.Type().Elem(); t.Name() != name || t.PkgPath() != path {
							im.renamed[t] = [2]string{path, name}
						}
					}
				}
			}
		}
		sharedImporter = im
	})
	return sharedImporter
}

// Has reports whether path can be imported.
func (im *symbolImporter) Has(path string) bool {
	if _, ok := genericSources[path]; ok {
		return true
	}
	_, ok := im.exports[path]
	return ok
}

// interpretable reports whether the interpreter itself can import path
// (rather than only the type checker).
func (im *symbolImporter) interpretable(path string) bool {
	_, ok := im.exports[path]
	return ok
}

// Import implements types.Importer.
func (im *symbolImporter) Import(path string) (*types.Package, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.importLocked(path)
}

func (im *symbolImporter) importLocked(path string) (*types.Package, error) {
	if p := im.pkgs[path]; p != nil && p.Complete() {
		return p, nil
	}
	if src, ok := genericSources[path]; ok {
		return im.fromSource(path, src)
	}
	if src, ok := symbols.ModuleGenerics[path]; ok {
		if pkg, err := im.fromModuleSource(path, src); err == nil {
			return pkg, nil
		}
		// Declarations the checker refuses leave the package with what
		// the symbol tables have: its generic API is undefined.
		delete(im.pkgs, path)
	}
	syms, ok := im.exports[path]
	if !ok {
		return nil, fmt.Errorf("package %s is not available in this kernel", path)
	}
	pkg := im.pkg(path, "")
	scope := pkg.Scope()
	for name, v := range syms {
		if strings.HasPrefix(name, "_") || scope.Lookup(name) != nil {
			continue
		}
		scope.Insert(im.object(pkg, name, v))
	}
	pkg.MarkComplete()
	return pkg, nil
}

// pkg returns the package for path, creating it (incomplete) if needed.
func (im *symbolImporter) pkg(path, name string) *types.Package {
	if p := im.pkgs[path]; p != nil {
		return p
	}
	if name == "" {
		name = pkgName(path)
	}
	p := types.NewPackage(path, name)
	im.pkgs[path] = p
	return p
}

// object turns one exported symbol into a go/types object: yaegi's tables
// hold functions as funcs, variables as pointers to them, types as nil
// pointers to them, typed constants as values and untyped constants as
// constant.Value.
func (im *symbolImporter) object(pkg *types.Package, name string, v reflect.Value) types.Object {
	if v.CanAddr() {
		return types.NewVar(token.NoPos, pkg, name, im.typeOf(v.Type())) // a variable: yaegi extract stores &V's element
	}
	if c, ok := v.Interface().(constant.Value); ok && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		return types.NewConst(token.NoPos, pkg, name, untypedOf(c), c)
	}
	switch v.Kind() {
	case reflect.Func:
		return types.NewFunc(token.NoPos, pkg, name, freshSignature(im.typeOf(v.Type()).(*types.Signature)))
	case reflect.Pointer:
		if v.IsNil() {
			t := im.typeOf(v.Type().Elem())
			if n, ok := t.(*types.Named); ok {
				return n.Obj()
			}
			return types.NewTypeName(token.NoPos, pkg, name, t)
		}
		return types.NewVar(token.NoPos, pkg, name, im.typeOf(v.Type().Elem()))
	}
	if c := constantOf(v); c != nil {
		return types.NewConst(token.NoPos, pkg, name, im.typeOf(v.Type()), c)
	}
	return types.NewVar(token.NoPos, pkg, name, im.typeOf(v.Type()))
}

// freshSignature copies a (cached, shared) signature for one function or
// method: go/types sets the receiver of interface methods' signatures.
func freshSignature(sig *types.Signature) *types.Signature {
	return types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
}

func untypedOf(c constant.Value) types.Type {
	switch c.Kind() {
	case constant.Bool:
		return types.Typ[types.UntypedBool]
	case constant.String:
		return types.Typ[types.UntypedString]
	case constant.Int:
		return types.Typ[types.UntypedInt]
	case constant.Float:
		return types.Typ[types.UntypedFloat]
	case constant.Complex:
		return types.Typ[types.UntypedComplex]
	}
	return types.Typ[types.Invalid]
}

func constantOf(v reflect.Value) constant.Value {
	switch v.Kind() {
	case reflect.Bool:
		return constant.MakeBool(v.Bool())
	case reflect.String:
		return constant.MakeString(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return constant.MakeInt64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return constant.MakeUint64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return constant.MakeFloat64(v.Float())
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return constant.BinaryOp(constant.MakeFloat64(real(c)), token.ADD, constant.MakeImag(constant.MakeFloat64(imag(c))))
	}
	return nil
}

var (
	errorType   = reflect.TypeFor[error]()
	basicByKind = map[reflect.Kind]types.BasicKind{reflect.Bool: types.Bool, reflect.Int: types.Int, reflect.Int8: types.Int8, reflect.Int16: types.Int16, reflect.Int32: types.Int32, reflect.Int64: types.Int64, reflect.Uint: types.Uint, reflect.Uint8: types.Uint8, reflect.Uint16: types.Uint16, reflect.Uint32: types.Uint32, reflect.Uint64: types.Uint64, reflect.Uintptr: types.Uintptr, reflect.Float32: types.Float32, reflect.Float64: types.Float64, reflect.Complex64: types.Complex64, reflect.Complex128: types.Complex128, reflect.String: types.String, reflect.UnsafePointer: types.UnsafePointer}
	emptyIface  = types.NewInterfaceType(nil, nil).Complete()
)

// typeOf converts a reflect type to a go/types type. Named types become
// types.Named in their package, with the exported methods reflect sees.
func (im *symbolImporter) typeOf(t reflect.Type) types.Type {
	if r, ok := im.types[t]; ok {
		return r
	}
	if t == errorType {
		return types.Universe.Lookup("error").Type()
	}
	if t.Name() != "" && t.PkgPath() != "" {
		return im.named(t)
	}
	if t.Name() != "" && t.PkgPath() == "" && t.Kind() != reflect.Interface {
		if k, ok := basicByKind[t.Kind()]; ok {
			return types.Typ[k]
		}
	}
	r := im.structural(t, nil)
	im.types[t] = r
	return r
}

func (im *symbolImporter) named(t reflect.Type) types.Type {
	path, name := t.PkgPath(), t.Name()
	if r, ok := im.renamed[t]; ok {
		path, name = r[0], r[1]
	}
	pkg := im.pkg(path, "")
	if p := im.pkgs[path]; p.Complete() || p.Scope().Lookup(name) != nil {
		if tn, ok := p.Scope().Lookup(name).(*types.TypeName); ok {
			im.types[t] = tn.Type()
			return tn.Type()
		}
	}
	tn := types.NewTypeName(token.NoPos, pkg, name, nil)
	n := types.NewNamed(tn, nil, nil)
	im.types[t] = n
	n.SetUnderlying(im.structural(t, pkg))
	if t.Kind() != reflect.Interface {
		seen := map[string]bool{}
		for i := range t.NumMethod() {
			m := t.Method(i)
			seen[m.Name] = true
			n.AddMethod(im.method(pkg, n, m.Name, m.Type, false))
		}
		pt := reflect.PointerTo(t)
		for i := range pt.NumMethod() {
			m := pt.Method(i)
			if !seen[m.Name] {
				n.AddMethod(im.method(pkg, n, m.Name, m.Type, true))
			}
		}
	}
	return n
}

// method makes a method of n from a reflect method type, whose first
// parameter is the receiver.
func (im *symbolImporter) method(pkg *types.Package, n *types.Named, name string, ft reflect.Type, ptr bool) *types.Func {
	var recvType types.Type = n
	if ptr {
		recvType = types.NewPointer(n)
	}
	recv := types.NewVar(token.NoPos, pkg, "", recvType)
	var params, results []*types.Var
	for i := 1; i < ft.NumIn(); i++ {
		params = append(params, types.NewParam(token.NoPos, pkg, "", im.typeOf(ft.In(i))))
	}
	for i := range ft.NumOut() {
		results = append(results, types.NewParam(token.NoPos, pkg, "", im.typeOf(ft.Out(i))))
	}
	sig := types.NewSignatureType(recv, nil, nil, types.NewTuple(params...), types.NewTuple(results...), ft.IsVariadic())
	return types.NewFunc(token.NoPos, pkg, name, sig)
}

// structural converts the structure of t (its underlying type).
func (im *symbolImporter) structural(t reflect.Type, pkg *types.Package) types.Type {
	if k, ok := basicByKind[t.Kind()]; ok {
		return types.Typ[k]
	}
	switch t.Kind() {
	case reflect.Pointer:
		return types.NewPointer(im.typeOf(t.Elem()))
	case reflect.Slice:
		return types.NewSlice(im.typeOf(t.Elem()))
	case reflect.Array:
		return types.NewArray(im.typeOf(t.Elem()), int64(t.Len()))
	case reflect.Map:
		return types.NewMap(im.typeOf(t.Key()), im.typeOf(t.Elem()))
	case reflect.Chan:
		dir := types.SendRecv
		switch t.ChanDir() {
		case reflect.SendDir:
			dir = types.SendOnly
		case reflect.RecvDir:
			dir = types.RecvOnly
		}
		return types.NewChan(dir, im.typeOf(t.Elem()))
	case reflect.Func:
		var params, results []*types.Var
		for i := range t.NumIn() {
			params = append(params, types.NewParam(token.NoPos, nil, "", im.typeOf(t.In(i))))
		}
		for i := range t.NumOut() {
			results = append(results, types.NewParam(token.NoPos, nil, "", im.typeOf(t.Out(i))))
		}
		return types.NewSignatureType(nil, nil, nil, types.NewTuple(params...), types.NewTuple(results...), t.IsVariadic())
	case reflect.Struct:
		var fields []*types.Var
		var tags []string
		for i := range t.NumField() {
			f := t.Field(i)
			fp := pkg
			if f.PkgPath != "" {
				fp = im.pkg(f.PkgPath, "")
			}
			fields = append(fields, types.NewField(token.NoPos, fp, f.Name, im.typeOf(f.Type), f.Anonymous))
			tags = append(tags, string(f.Tag))
		}
		return types.NewStruct(fields, tags)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return emptyIface
		}
		var methods []*types.Func
		for i := range t.NumMethod() {
			m := t.Method(i)
			if !token.IsExported(m.Name) {
				continue // unexported methods cannot be seen, nor implemented, from cells
			}
			sig := freshSignature(im.typeOf(m.Type).(*types.Signature))
			methods = append(methods, types.NewFunc(token.NoPos, pkg, m.Name, sig))
		}
		return types.NewInterfaceType(methods, nil).Complete()
	}
	return types.Typ[types.Invalid]
}

// fromSource adds to path's package (made from the symbol tables, or
// empty) the declarations of its generic source, which yaegi's tables
// cannot hold.
func (im *symbolImporter) fromSource(path, src string) (*types.Package, error) {
	f, err := im.parseDeclarations(path, strings.Split(src, "\n"))
	if err != nil {
		return nil, err
	}
	pkg := im.pkg(path, f.Name.Name)
	if syms, ok := im.exports[path]; ok {
		scope := pkg.Scope()
		for name, v := range syms {
			if !strings.HasPrefix(name, "_") && scope.Lookup(name) == nil {
				scope.Insert(im.object(pkg, name, v))
			}
		}
	}
	gen := types.NewPackage(path, f.Name.Name)
	conf := types.Config{Importer: lockedImporter{im}, IgnoreFuncBodies: true}
	if err := types.NewChecker(&conf, im.fset, gen, nil).Files([]*ast.File{f}); err != nil {
		return nil, fmt.Errorf("generic declarations of %s: %w", path, err)
	}
	for _, name := range gen.Scope().Names() {
		if token.IsExported(name) {
			pkg.Scope().Insert(gen.Scope().Lookup(name))
		}
	}
	pkg.MarkComplete()
	return pkg, nil
}

// fromModuleSource makes a module package from its symbol tables and its
// generic declarations (symbols.ModuleGenerics), which may name the
// package's other types.
//
// A declaration the checker refuses is left out (and what needs it), so
// that one the generator got wrong costs that function only.
func (im *symbolImporter) fromModuleSource(path, src string) (*types.Package, error) {
	lines := strings.Split(src, "\n")
	for range 8 {
		pkg, bad, err := im.checkModuleSource(path, lines)
		if err == nil || len(bad) == 0 {
			return pkg, err
		}
		delete(im.pkgs, path)
		for _, n := range bad {
			if n > 1 && n <= len(lines) && !strings.HasPrefix(lines[n-1], "import ") {
				lines[n-1] = ""
			}
		}
	}
	return nil, fmt.Errorf("generic declarations of %s: too many errors", path)
}

// checkModuleSource checks the declarations; bad are the lines of the
// errors.
func (im *symbolImporter) checkModuleSource(path string, lines []string) (*types.Package, []int, error) {
	f, err := im.parseDeclarations(path, lines)
	if err != nil {
		return nil, nil, err
	}
	pkg := im.pkg(path, f.Name.Name)
	scope := pkg.Scope()
	for name, v := range im.exports[path] {
		if !strings.HasPrefix(name, "_") && scope.Lookup(name) == nil && !strings.Contains(name, "__") {
			scope.Insert(im.object(pkg, name, v))
		}
	}
	// The declarations are checked in a package of their own that sees
	// the tables' objects too.
	gen := types.NewPackage(path, f.Name.Name)
	for _, name := range scope.Names() {
		gen.Scope().Insert(scope.Lookup(name))
	}
	var bad []int
	conf := types.Config{Importer: lockedImporter{im}, IgnoreFuncBodies: true, Error: func(err error) {
		if te, ok := err.(types.Error); ok {
			bad = append(bad, te.Fset.Position(te.Pos).Line)
		}
	}}
	if err := types.NewChecker(&conf, im.fset, gen, nil).Files([]*ast.File{f}); err != nil {
		return nil, bad, fmt.Errorf("generic declarations of %s: %w", path, err)
	}
	for _, name := range gen.Scope().Names() {
		if obj := gen.Scope().Lookup(name); token.IsExported(name) && scope.Lookup(name) == nil {
			scope.Insert(obj)
		}
	}
	pkg.MarkComplete()
	return pkg, nil, nil
}

// parseDeclarations parses declarations written one per line. They have
// no bodies; go/types wants them on generic functions, so each gets one
// (never checked: IgnoreFuncBodies).
func (im *symbolImporter) parseDeclarations(path string, lines []string) (*ast.File, error) {
	var b strings.Builder
	for _, line := range lines {
		b.WriteString(line)
		if strings.HasPrefix(line, "func ") {
			b.WriteString(" { panic(0) }")
		}
		b.WriteString("\n")
	}
	f, err := parser.ParseFile(im.fset, path+".go", b.String(), parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("generic declarations of %s: %w", path, err)
	}
	return f, nil
}

// lockedImporter imports while the importer's lock is already held.
type lockedImporter struct{ im *symbolImporter }

func (l lockedImporter) Import(path string) (*types.Package, error) { return l.im.importLocked(path) }
