package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"nmfkernel/symbols"
)

// Instance is an instantiation of a module package's generic function or
// type that a cell uses: compiled into the kernel, it is the symbol
// Symbol of package Path.
type Instance struct {
	Path     string `json:"path"`     // the package's import path
	Name     string `json:"name"`     // the generic function or type
	TypeArgs string `json:"typeArgs"` // Go syntax, packages written «import/path»
	Symbol   string `json:"symbol"`   // the name it is registered under
	IsType   bool   `json:"isType,omitempty"`
}

// Expr returns the instance as a Go expression or type in a file that
// imports each package under the name alias(path) gives.
func (in Instance) Expr(alias func(path string) string) string {
	args := in.TypeArgs
	for {
		i := strings.Index(args, "«")
		if i < 0 {
			break
		}
		j := strings.Index(args[i:], "»")
		if j < 0 {
			break
		}
		path := args[i+len("«") : i+j]
		args = args[:i] + alias(path) + args[i+j+len("»"):]
	}
	return alias(in.Path) + "." + in.Name + "[" + args + "]"
}

// MissingInstancesError reports instantiations a cell needs that this
// kernel does not have compiled in: a kernel with them must be built (see
// internal/gomod). Nothing of the cell has run.
type MissingInstancesError struct {
	Instances []Instance
}

func (e *MissingInstancesError) Error() string {
	var names []string
	for _, in := range e.Instances {
		names = append(names, in.Expr(func(p string) string { return pkgName(p) }))
	}
	return "not compiled into this kernel: " + strings.Join(names, ", ")
}

// isModuleGeneric reports whether path is a module package whose generic
// declarations the kernel has.
func isModuleGeneric(path string) bool {
	_, ok := symbols.ModuleGenerics[path]
	return ok
}

// moduleInstance returns the symbol under which the instantiation of obj
// (a generic function or type of a module package) with targs is compiled
// in, noting it as missing when it is not. ok is false, with l.err set,
// when it cannot be compiled at all.
func (l *lowering) moduleInstance(pos token.Pos, obj types.Object, targs *types.TypeList) (string, bool) {
	var full, src []string
	for i := range targs.Len() {
		t := targs.At(i)
		if p := sessionType(t, l.pkg); p != "" {
			l.fail(pos, "%s.%s with %s: the type is defined in the notebook, and an instantiation of a module's generic code is compiled into the kernel, which cannot use it (use the generic code with types of Go, the standard library or a module)", obj.Pkg().Name(), obj.Name(), p)
			return "", false
		}
		full = append(full, types.TypeString(t, func(p *types.Package) string { return p.Path() }))
		src = append(src, types.TypeString(t, func(p *types.Package) string { return "«" + p.Path() + "»" }))
	}
	h := sha256.Sum256([]byte(obj.Pkg().Path() + "." + obj.Name() + "[" + strings.Join(full, ", ") + "]"))
	sym := fmt.Sprintf("%s__%s", obj.Name(), hex.EncodeToString(h[:5]))
	if _, ok := l.s.importer.exports[obj.Pkg().Path()][sym]; !ok {
		_, isType := obj.(*types.TypeName)
		in := Instance{Path: obj.Pkg().Path(), Name: obj.Name(), TypeArgs: strings.Join(src, ", "), Symbol: sym, IsType: isType}
		for _, have := range l.missing {
			if have.Symbol == sym {
				return sym, true
			}
		}
		l.missing = append(l.missing, in)
	}
	return sym, true
}

// sessionType returns the name of a type defined in the session (by a
// cell) that t uses, or "".
func sessionType(t types.Type, session *types.Package) string {
	if n := findNamed(t, func(n *types.Named) bool { return n.Obj().Pkg() == session }); n != nil {
		return n.Obj().Name()
	}
	return ""
}
