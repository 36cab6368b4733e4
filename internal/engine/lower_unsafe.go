package engine

// Package unsafe: the interpreter has no unsafe package, and its values
// are not laid out in memory as compiled Go's (a cell's struct with
// methods is a record of the interpreter's), so pointer arithmetic through
// unsafe.Pointer could read something else than Go reads. What is
// constant in Go — unsafe.Sizeof, Alignof and Offsetof, which go/types
// computes with gc's sizes for this architecture — is written into the
// cell as its value; every other use of unsafe is refused by name.

import (
	"go/ast"
	"go/types"
	"runtime"
)

// gcSizes are the sizes the gc compiler gives types on this machine,
// for unsafe.Sizeof and its companions.
var gcSizes = types.SizesFor("gc", runtime.GOARCH)

// unsafeMember returns the name of the unsafe package's member sel
// selects, or "".
func (l *lowering) unsafeMember(sel *ast.SelectorExpr) string {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	if pn, ok := l.info.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "unsafe" {
		return sel.Sel.Name
	}
	return ""
}

// foldUnsafe replaces a call of unsafe.Sizeof, Alignof or Offsetof with
// the constant go/types computed for it (the argument is not evaluated,
// in Go either).
func (l *lowering) foldUnsafe(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch l.unsafeMember(sel) {
	case "Sizeof", "Alignof", "Offsetof":
	default:
		return false
	}
	tv, ok := l.info.Types[call]
	if !ok || tv.Value == nil {
		return false
	}
	l.render(l.off(call.Pos()), l.off(call.End()))
	l.edits = append(l.edits, edit{l.off(call.Pos()), l.off(call.End()), "uintptr(" + tv.Value.ExactString() + ")"})
	return true
}

// refuseUnsafe refuses any other use of package unsafe.
func (l *lowering) refuseUnsafe(sel *ast.SelectorExpr) bool {
	name := l.unsafeMember(sel)
	if name == "" {
		return false
	}
	l.fail(sel.Pos(), "unsafe.%s: the interpreter's values are not laid out in memory as compiled Go's, so what unsafe reads or writes could differ from Go's answer; only unsafe.Sizeof, Alignof and Offsetof of values whose size Go knows when compiling are supported", name)
	return true
}
