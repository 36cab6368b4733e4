package engine

// Formatting verbs that print a type, which yaegi v0.16.1 gets wrong:
// it builds a cell's types with reflect.StructOf and friends, which have
// no names, and renames unexported fields (a becomes Xa, since StructOf
// takes exported fields only). So %T of a cell type printed
// struct { Xa int } instead of main.T, %+v printed {Xa:1}, %#v
// struct { Xa int }{Xa:1}.
//
//   - %T in a constant format of fmt's and log's printf-like functions
//     becomes %s, and its argument the type's name as Go's reflect
//     writes it (main.F[main.foo]), worked out from the static type, or
//     for an interface from the cell types its value could be (each
//     asserted; the ones yaegi cannot tell apart are refused).
//   - %+v and %#v of a value whose type involves a cell struct with
//     unexported fields (%+v), or any cell type (%#v), are printed by
//     the kernel from a description of the static type (fmtshape.go);
//     where it cannot (a cell type with methods, an interface a cell
//     type implements, a width or precision), they are refused by name,
//     with a way around.
//   - a value of a cell type over a number or string with methods is
//     handed to fmt as a wrapper struct, which %d printed as {2 0x…}:
//     under verbs that do not call String it goes as its underlying type;
//   - a value whose String or Error has a pointer receiver has no such
//     method, but yaegi calls it: it goes as its underlying type;
//   - a value of a cell struct type with Error or String reaches fmt
//     without the method when it is held in an interface (var err error
//     = E{4}): a compiled helper asks the cell which type it holds and
//     gives fmt the method (printInterfaceWithMethods).

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// formatArg is the index of the format argument of fmt's and log's
// printf-like functions and methods, by name.
var formatArg = map[string]int{
	"fmt.Printf": 0, "fmt.Sprintf": 0, "fmt.Errorf": 0, "fmt.Fprintf": 1, "fmt.Appendf": 1,
	"log.Printf": 0, "log.Fatalf": 0, "log.Panicf": 0,
}

// lowerFormat rewrites or refuses the type-printing verbs of a call.
func (l *lowering) lowerFormat(call *ast.CallExpr, fn *types.Func) {
	key := fn.Pkg().Path() + "." + fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		if fn.Pkg().Path() != "log" {
			return
		}
		key = "log." + fn.Name() // (*log.Logger).Printf and friends
	}
	fi, ok := formatArg[key]
	if !ok || len(call.Args) <= fi || call.Ellipsis.IsValid() {
		return
	}
	tv := l.info.Types[call.Args[fi]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return
	}
	format := constant.StringVal(tv.Value)
	verbs, ok := parseVerbs(format)
	if !ok {
		return
	}
	newFormat := []byte(format)
	changed := false
	goStringer := l.fmtInterface("GoStringer")
	for i := len(verbs) - 1; i >= 0; i-- {
		v := verbs[i]
		ai := fi + 1 + v.arg
		if ai >= len(call.Args) {
			continue
		}
		arg := call.Args[ai]
		t := l.info.TypeOf(arg)
		if t == nil {
			continue
		}
		switch {
		case v.verb == 'T':
			name, ok := l.typeNameExpr(arg, t)
			if !ok {
				return
			}
			if name == "" {
				continue
			}
			newFormat[v.end-1] = 's'
			changed = true
			l.render(l.off(arg.Pos()), l.off(arg.End()))
			l.edits = append(l.edits, edit{l.off(arg.Pos()), l.off(arg.End()), name})
		case v.verb == 'v' && v.sharp && goStringer != nil && !isInterface(t) && types.Implements(t, goStringer) && !l.implementsFmt(t, "Formatter"):
			// yaegi's fmt does not call GoString: call it, and print the
			// string with the verb's width and flags.
			spec := strings.ReplaceAll(string(newFormat[v.start:v.end-1]), "#", "") + "s"
			newFormat = append(newFormat[:v.start:v.start], append([]byte(spec), newFormat[v.end:]...)...)
			changed = true
			argText := l.render(l.off(arg.Pos()), l.off(arg.End()))
			l.edits = append(l.edits, edit{l.off(arg.Pos()), l.off(arg.End()), "(" + argText + ").GoString()"})
		case !strings.ContainsRune("vsxXqT", rune(v.verb)) && l.wrappedWithMethods(t):
			// yaegi hands fmt a value of a cell type with methods as a
			// wrapper struct, which %d prints as {2 0x…}; Go formats
			// the number (String is only for %v %s %x %X %q).
			us, err := l.typeString(t.Underlying())
			if err != nil {
				continue
			}
			argText := l.render(l.off(arg.Pos()), l.off(arg.End()))
			l.edits = append(l.edits, edit{l.off(arg.Pos()), l.off(arg.End()), us + "(" + argText + ")"})
		case v.verb == 'v' && (v.plus || v.sharp):
			if c, _ := l.fieldNamesDiffer(t, v.sharp); c != nil && v.end-v.start == 3 && !isInterface(t) {
				// %+v or %#v alone: printed by the kernel (fmtshape.go).
				if shape, ok := l.fmtShapeOf(t, v.sharp, false, 0); ok && shape.Kind != "leaf" {
					text, err := json.Marshal(shape)
					if err == nil {
						argText := l.render(l.off(arg.Pos()), l.off(arg.End()))
						l.edits = append(l.edits, edit{l.off(arg.Pos()), l.off(arg.End()), fmt.Sprintf("__nmfkernel.Shaped(%s, %s)", strconv.Quote(string(text)), argText)})
						continue
					}
				}
			}
			if c, why := l.fieldNamesDiffer(t, v.sharp); c != nil {
				flag := "+"
				if v.sharp {
					flag = "#"
				}
				l.fail(arg.Pos(), "%%%sv of a %s: the interpreter prints %s, so the text would differ from Go's; print the fields yourself (fmt.Sprintf(\"{a:%%v}\", x.a)), or use %%v", flag, types.TypeString(c, l.relative), why)
				return
			}
		}
	}
	if changed {
		f := call.Args[fi]
		l.render(l.off(f.Pos()), l.off(f.End()))
		l.edits = append(l.edits, edit{l.off(f.Pos()), l.off(f.End()), strconv.Quote(string(newFormat))})
	}
}

// printFuncs are fmt's and log's functions that print their arguments as
// %v does, by name (methods of *log.Logger under "log.").
var printFuncs = map[string]bool{
	"fmt.Print": true, "fmt.Println": true, "fmt.Sprint": true, "fmt.Sprintln": true, "fmt.Fprint": true, "fmt.Fprintln": true,
	"fmt.Append": true, "fmt.Appendln": true, "log.Print": true, "log.Println": true, "log.Fatal": true, "log.Fatalln": true,
	"log.Panic": true, "log.Panicln": true,
}

// lowerContainersOfStringers passes a slice, array or map of a cell type
// with a String or Error method to fmt as a slice or map of fmt.Stringer
// or error: yaegi hands fmt the elements without their methods
// (fmt.Println([]Point{…}) printed {0 0}, not (0, 0)). It applies to the
// arguments printed as %v (Print, Println, and %v or %s in a format).
func (l *lowering) lowerContainersOfStringers(call *ast.CallExpr, fn *types.Func) {
	key := fn.Pkg().Path() + "." + fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		if fn.Pkg().Path() != "log" {
			return
		}
		key = "log." + fn.Name()
	}
	if call.Ellipsis.IsValid() {
		return
	}
	printed := map[int]bool{}
	switch {
	case printFuncs[key]:
		first := 0
		if key == "fmt.Fprint" || key == "fmt.Fprintln" || key == "fmt.Append" || key == "fmt.Appendln" {
			first = 1
		}
		for i := first; i < len(call.Args); i++ {
			printed[i] = true
		}
	case formatArg[key] >= 0:
		fi, ok := formatArg[key]
		if !ok || len(call.Args) <= fi {
			return
		}
		tv := l.info.Types[call.Args[fi]]
		if tv.Value == nil || tv.Value.Kind() != constant.String {
			return
		}
		verbs, ok := parseVerbs(constant.StringVal(tv.Value))
		if !ok {
			return
		}
		other := map[int]bool{}
		for _, v := range verbs {
			ai := fi + 1 + v.arg
			if (v.verb == 'v' && !v.sharp) || v.verb == 's' {
				printed[ai] = true
			} else {
				other[ai] = true
			}
		}
		for i := range other {
			delete(printed, i) // also printed with another verb: left alone
		}
	}
	errType := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	stringer := l.fmtInterface("Stringer")
	if stringer == nil {
		return
	}
	for i := range printed {
		if i >= len(call.Args) {
			continue
		}
		a := call.Args[i]
		t := l.info.TypeOf(a)
		if t == nil {
			continue
		}
		if isInterface(t) {
			l.printInterfaceWithMethods(a, t, errType, stringer)
			continue
		}
		if elem := sliceElem(t); elem != nil && isInterface(elem) {
			// []any{Token{…}}: each element as it is printed alone.
			if asker, ok := l.printAsker(a.Pos(), elem, errType, stringer); ok {
				l.printElements(a, t, asker)
			}
			continue
		}
		if l.printsPointerMethod(t, errType, stringer) {
			// String (or Error) has a pointer receiver, so a T value
			// does not have it and Go prints its fields; yaegi calls
			// it. The value goes as its underlying type.
			if us, err := l.typeString(t.Underlying()); err == nil {
				argText := l.render(l.off(a.Pos()), l.off(a.End()))
				l.edits = append(l.edits, edit{l.off(a.Pos()), l.off(a.End()), "(" + us + ")(" + argText + ")"})
			}
			continue
		}
		var elem types.Type
		var conv string
		switch u := t.Underlying().(type) {
		case *types.Slice:
			elem = u.Elem()
		case *types.Array:
			elem = u.Elem()
		case *types.Map:
			if l.isCellType(u.Key()) && hasMethods(u.Key()) {
				continue // keys with methods too: left alone
			}
			elem = u.Elem()
		default:
			continue
		}
		if !l.isCellType(elem) || l.implementsFmt(elem, "Formatter") {
			continue
		}
		iface := ""
		switch {
		case types.Implements(elem, errType):
			iface = "error"
		case types.Implements(elem, stringer):
			iface = "__nmfkernelFmt.Stringer"
		default:
			continue
		}
		ts, err := l.typeString(t)
		if err != nil {
			continue
		}
		es, err := l.typeString(elem)
		if err != nil {
			continue
		}
		argText := l.render(l.off(a.Pos()), l.off(a.End()))
		switch u := t.Underlying().(type) {
		case *types.Map:
			ks, err := l.typeString(u.Key())
			if err != nil {
				continue
			}
			conv = fmt.Sprintf("func(__nmfkm %s) map[%s]%s { if __nmfkm == nil { return nil }; __nmfko := make(map[%s]%s, len(__nmfkm)); for __nmfkk := range __nmfkm { __nmfko[__nmfkk] = func(__nmfkv %s) %s { return __nmfkv }(__nmfkm[__nmfkk]) }; return __nmfko }(%s)", ts, ks, iface, ks, iface, es, iface, argText)
		case *types.Slice:
			conv = fmt.Sprintf("func(__nmfks %s) []%s { if __nmfks == nil { return nil }; __nmfko := make([]%s, len(__nmfks)); for __nmfki := range __nmfks { __nmfko[__nmfki] = func(__nmfkv %s) %s { return __nmfkv }(__nmfks[__nmfki]) }; return __nmfko }(%s)", ts, iface, iface, es, iface, argText)
		default:
			conv = fmt.Sprintf("func(__nmfks %s) []%s { __nmfko := make([]%s, len(__nmfks)); for __nmfki := range __nmfks { __nmfko[__nmfki] = func(__nmfkv %s) %s { return __nmfkv }(__nmfks[__nmfki]) }; return __nmfko }(%s)", ts, iface, iface, es, iface, argText)
		}
		l.edits = append(l.edits, edit{l.off(a.Pos()), l.off(a.End()), conv})
	}
}

// printInterfaceWithMethods passes an interface value printed by fmt (as
// %v or %s) through a compiled helper that asks the cell which of its
// struct types with a String or Error method the value holds, and gives
// fmt that method as a compiled value: yaegi hands fmt such a value held
// in an interface (var e error = E{2}; fmt.Println(e)) without its
// methods, so fmt printed {2} where Go calls Error. Other values go to
// fmt as they came (yaegi keeps the methods of pointers). Where the value
// could be of a cell type over a number, string, slice or map with such a
// method, it is left alone: yaegi prints those right only when they go
// to fmt directly.
func (l *lowering) printInterfaceWithMethods(a ast.Expr, t types.Type, errType, stringer *types.Interface) {
	asker, ok := l.printAsker(a.Pos(), t, errType, stringer)
	if !ok {
		return
	}
	argText := l.render(l.off(a.Pos()), l.off(a.End()))
	l.edits = append(l.edits, edit{l.off(a.Pos()), l.off(a.End()), "__nmfkernel.Printable(" + asker + ", " + argText + ")"})
}

// printElements passes a slice or array of an interface type to fmt as a
// []any of its elements, each through the helper printInterfaceWithMethods
// uses: fmt prints the []any as it prints the slice, each element as Go
// would ([]any{Token{…}} printed yaegi's records of the elements).
func (l *lowering) printElements(a ast.Expr, t types.Type, asker string) {
	ts, err := l.typeString(t)
	if err != nil {
		return
	}
	nilCheck := ""
	if _, isSlice := t.Underlying().(*types.Slice); isSlice {
		nilCheck = "if __nmfks == nil { return nil }; "
	}
	argText := l.render(l.off(a.Pos()), l.off(a.End()))
	l.edits = append(l.edits, edit{l.off(a.Pos()), l.off(a.End()), fmt.Sprintf("func(__nmfks %s) []any { %s__nmfko := make([]any, len(__nmfks)); for __nmfki := range __nmfks { __nmfko[__nmfki] = __nmfkernel.Printable(%s, __nmfks[__nmfki]) }; return __nmfko }(%s)", ts, nilCheck, asker, argText)})
}

// sliceElem returns the element type of a slice or array type, else nil.
func sliceElem(t types.Type) types.Type {
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return u.Elem()
	case *types.Array:
		return u.Elem()
	}
	return nil
}

// printAsker writes the function printInterfaceWithMethods hands the
// helper: given a value the interpreter passed to compiled code as an
// interface t (and whether it is the interpreter's record of a value),
// it returns what fmt should print for each of the cell's types with
// methods the value could be, or nil. ok is false when there are none,
// or when two of the cell's types could not be told apart (docs/engine.md
// lists it among the gaps).
func (l *lowering) printAsker(pos token.Pos, t types.Type, errType, stringer *types.Interface) (string, bool) {
	var cands []types.Type
	var conv, recConv []string
	shapes := map[string]bool{}
	for _, n := range l.cellTypes(pos) {
		if !types.AssignableTo(n, t) || l.implementsFmt(n, "Formatter") || !hasMethods(n) {
			continue
		}
		ns, err := l.typeString(n)
		if err != nil {
			return "", false
		}
		var branch string
		switch {
		case types.Implements(n, errType):
			branch = fmt.Sprintf("if __nmfkv, __nmfkok := __nmfkx.(%s); __nmfkok { return __nmfkernel.ErrorText(__nmfkv.Error) }; ", ns)
		case types.Implements(n, stringer):
			branch = fmt.Sprintf("if __nmfkv, __nmfkok := __nmfkx.(%s); __nmfkok { return __nmfkernel.StringText(__nmfkv.String) }; ", ns)
		default:
			// Held in a field, map or slice, yaegi hands fmt its own
			// record of the value ({0xc… {0xc… 0xc… 409}}); given back
			// by the cell, the value itself.
			branch = fmt.Sprintf("if __nmfkv, __nmfkok := __nmfkx.(%s); __nmfkok { return __nmfkernel.PlainValue(__nmfkv) }; ", ns)
		}
		if _, isStruct := n.Underlying().(*types.Struct); isStruct {
			cands = append(cands, n)
			conv = append(conv, branch)
			continue
		}
		// A type over a number, string, slice, …: inside the cell an int
		// asserts as it, so it is asked only for the interpreter's own
		// records of values, never for a plain value; two such types of
		// one shape could not be told apart.
		shape := types.TypeString(n.Underlying(), nil)
		if shapes[shape] {
			return "", false
		}
		shapes[shape] = true
		recConv = append(recConv, branch)
	}
	if len(cands)+len(recConv) == 0 {
		return "", false
	}
	if _, _, _, ok := l.tellableBy(pos, t, cands, false); len(cands) > 0 && !ok {
		// Two of the cell's types look alike to yaegi: the value goes
		// to fmt as it is (yaegi's answer, which is Go's unless it is
		// a value of one of them), rather than refusing every print.
		return "", false
	}
	body := strings.Join(conv, "")
	if len(recConv) > 0 {
		body += "if __nmfkrec { " + strings.Join(recConv, "") + "}; "
	}
	return "func(__nmfkx any, __nmfkrec bool) any { " + body + "return nil }", true
}

// wrappedWithMethods reports whether yaegi hands fmt a value of type t as
// a wrapper struct: a cell type with methods, whose underlying type is a
// number, string or bool, and which does not format itself (Formatter).
func (l *lowering) wrappedWithMethods(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() != l.pkg || !hasMethods(t) || l.implementsFmt(t, "Formatter") {
		return false
	}
	_, basic := n.Underlying().(*types.Basic)
	return basic
}

// printsPointerMethod reports whether t is a cell type whose value lacks
// a String or Error method that its pointer has (declared with a pointer
// receiver), and that has no other methods fmt looks for.
func (l *lowering) printsPointerMethod(t types.Type, errType, stringer *types.Interface) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() != l.pkg || isInterface(t) {
		return false
	}
	if types.Implements(t, errType) || types.Implements(t, stringer) || l.implementsFmt(t, "Formatter") || l.implementsFmt(t, "GoStringer") {
		return false
	}
	p := types.NewPointer(t)
	return types.Implements(p, errType) || types.Implements(p, stringer)
}

// checkXMLName refuses encoding/xml's marshalling of a cell struct that
// has no XMLName field: yaegi's struct type has no name, so the element
// would have none (Marshal fails) where Go names it after the type.
func (l *lowering) checkXMLName(call *ast.CallExpr, fn *types.Func) {
	if fn.Pkg().Path() != "encoding/xml" {
		return
	}
	switch fn.Name() {
	case "Marshal", "MarshalIndent", "Encode", "EncodeElement":
	default:
		return
	}
	if len(call.Args) == 0 {
		return
	}
	t := l.info.TypeOf(call.Args[0])
	for {
		p, ok := t.(*types.Pointer)
		if !ok {
			break
		}
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || !l.isCellType(n) {
		return
	}
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i := range st.NumFields() {
		if st.Field(i).Name() == "XMLName" {
			return
		}
	}
	l.fail(call.Args[0].Pos(), "xml.%s of a %s: the interpreter's %s has no type name to name the element after; add a field XMLName xml.Name `xml:\"%s\"`", fn.Name(), n.Obj().Name(), n.Obj().Name(), n.Obj().Name())
}

// verb is one formatting verb of a format string: its letter, flags,
// the index of the argument it prints (among those after the format),
// and where it ends in the format.
type verb struct {
	verb            byte
	plus, sharp     bool
	arg, start, end int
}

// parseVerbs lists a format's verbs as fmt reads them. It reports false
// for explicit argument indexes ([n]), which it leaves alone.
func parseVerbs(format string) ([]verb, bool) {
	var out []verb
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		v := verb{start: i - 1}
	flags:
		for ; i < len(format); i++ {
			switch format[i] {
			case '+':
				v.plus = true
			case '#':
				v.sharp = true
			case '-', ' ', '0':
			default:
				break flags
			}
		}
		for ; i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '*' || format[i] == '.'); i++ {
			if format[i] == '*' {
				arg++
			}
		}
		if i >= len(format) {
			break
		}
		if format[i] == '[' {
			return nil, false
		}
		if format[i] == '%' {
			continue
		}
		v.verb, v.arg, v.end = format[i], arg, i+1
		out = append(out, v)
		arg++
	}
	return out, true
}

// typeNameExpr returns the source of an expression that evaluates arg and
// yields the name of its dynamic type as %T prints it in Go, or "" when
// yaegi prints it right (a type that involves no cell type).
func (l *lowering) typeNameExpr(arg ast.Expr, t types.Type) (string, bool) {
	return l.typeNameOf(l.render(l.off(arg.Pos()), l.off(arg.End())), arg.Pos(), t)
}

// typeNameOf is typeNameExpr for an argument written argText, at pos.
func (l *lowering) typeNameOf(argText string, pos token.Pos, t types.Type) (string, bool) {
	return l.typeNameBy(argText, pos, t, false)
}

// typeNameBy is typeNameOf; lenient, a value of a type yaegi cannot tell
// from another stops the cell with an InterpreterError when it runs (for
// a panic's message) instead of refusing the cell.
func (l *lowering) typeNameBy(argText string, pos token.Pos, t types.Type, lenient bool) (string, bool) {
	if !isInterface(t) {
		if !l.involvesCellType(t) {
			return "", true
		}
		return fmt.Sprintf("__nmfkernel.TypeName(%s, %s)", strconv.Quote(l.goTypeName(t, false)), argText), true
	}
	var cands []types.Type
	for _, n := range l.cellTypes(pos) {
		for _, c := range []types.Type{n, types.NewPointer(n)} {
			if types.AssignableTo(c, t) {
				cands = append(cands, c)
			}
		}
	}
	if len(cands) == 0 {
		return "", true
	}
	if !lenient && !l.checkTellable(pos, t, cands, "%T of this value") {
		return "", false
	}
	ts, err := l.typeString(t)
	if err != nil {
		return "", true
	}
	var b, unsure strings.Builder
	fmt.Fprintf(&b, "func(__nmfkx %s) string { if __nmfkx == nil { return \"<nil>\" }; ", ts)
	for _, c := range cands {
		cs, err := l.typeString(c)
		if err != nil {
			return "", true
		}
		name := strconv.Quote(l.goTypeName(c, false))
		if _, _, _, ok := l.tellable(pos, t, []types.Type{c}); !ok {
			fmt.Fprintf(&unsure, "if _, __nmfkok := __nmfkx.(%s); __nmfkok { panic(__nmfkernel.CannotTell(%s)) }; ", cs, name)
			continue
		}
		fmt.Fprintf(&b, "if %s { return %s }; ", l.holds("__nmfkx", t, pos, c, cs), name)
	}
	b.WriteString(unsure.String())
	fmt.Fprintf(&b, "return __nmfkernelFmt.Sprintf(\"%%T\", __nmfkx) }(%s)", argText)
	return b.String(), true
}

// involvesCellType reports whether t mentions a cell-defined type.
func (l *lowering) involvesCellType(t types.Type) bool {
	return l.mentionsCell(t, 0)
}

func (l *lowering) mentionsCell(t types.Type, depth int) bool {
	if depth > 8 {
		return false
	}
	switch t := t.(type) {
	case *types.Named:
		if l.isCellType(t) {
			return true
		}
		for i := range t.TypeArgs().Len() {
			if l.mentionsCell(t.TypeArgs().At(i), depth+1) {
				return true
			}
		}
	case *types.Pointer:
		return l.mentionsCell(t.Elem(), depth+1)
	case *types.Slice:
		return l.mentionsCell(t.Elem(), depth+1)
	case *types.Array:
		return l.mentionsCell(t.Elem(), depth+1)
	case *types.Map:
		return l.mentionsCell(t.Key(), depth+1) || l.mentionsCell(t.Elem(), depth+1)
	case *types.Chan:
		return l.mentionsCell(t.Elem(), depth+1)
	case *types.Struct:
		for i := range t.NumFields() {
			if !t.Field(i).Exported() && t.Field(i).Pkg() == l.pkg || l.mentionsCell(t.Field(i).Type(), depth+1) {
				return true
			}
		}
	case *types.Signature:
		for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tu.Len() {
				if l.mentionsCell(tu.At(i).Type(), depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// goTypeName writes t as reflect.Type.String does in a compiled program:
// package names at the top, import paths inside type arguments.
func (l *lowering) goTypeName(t types.Type, inArgs bool) string {
	switch t := t.(type) {
	case *types.Alias:
		return l.goTypeName(types.Unalias(t), inArgs)
	case *types.Basic:
		switch t.Kind() {
		case types.Byte:
			return "uint8"
		case types.Rune:
			return "int32"
		case types.UnsafePointer:
			return "unsafe.Pointer"
		}
		return t.Name()
	case *types.Named:
		obj := t.Obj()
		name := obj.Name()
		if display, ok := l.s.monoDisplay[name]; ok && obj.Pkg() == l.pkg {
			return display // a copy of a cell's generic (monomorph.go)
		}
		if obj.Pkg() != nil {
			q := obj.Pkg().Name()
			if inArgs {
				q = obj.Pkg().Path()
			}
			name = q + "." + name
		}
		if n := t.TypeArgs().Len(); n > 0 {
			args := make([]string, n)
			for i := range n {
				args[i] = l.goTypeName(t.TypeArgs().At(i), true)
			}
			name += "[" + strings.Join(args, ",") + "]"
		}
		return name
	case *types.Pointer:
		return "*" + l.goTypeName(t.Elem(), inArgs)
	case *types.Slice:
		return "[]" + l.goTypeName(t.Elem(), inArgs)
	case *types.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), l.goTypeName(t.Elem(), inArgs))
	case *types.Map:
		return "map[" + l.goTypeName(t.Key(), inArgs) + "]" + l.goTypeName(t.Elem(), inArgs)
	case *types.Chan:
		switch t.Dir() {
		case types.SendOnly:
			return "chan<- " + l.goTypeName(t.Elem(), inArgs)
		case types.RecvOnly:
			return "<-chan " + l.goTypeName(t.Elem(), inArgs)
		}
		return "chan " + l.goTypeName(t.Elem(), inArgs)
	case *types.Struct:
		if t.NumFields() == 0 {
			return "struct {}"
		}
		fields := make([]string, t.NumFields())
		for i := range t.NumFields() {
			f := t.Field(i)
			s := l.goTypeName(f.Type(), inArgs)
			if !f.Embedded() {
				s = f.Name() + " " + s
			}
			if tag := t.Tag(i); tag != "" {
				s += " " + strconv.Quote(tag)
			}
			fields[i] = s
		}
		return "struct { " + strings.Join(fields, "; ") + " }"
	case *types.Signature:
		var b strings.Builder
		b.WriteString("func(")
		for i := range t.Params().Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			pt := t.Params().At(i).Type()
			if t.Variadic() && i == t.Params().Len()-1 {
				b.WriteString("..." + l.goTypeName(pt.(*types.Slice).Elem(), inArgs))
				continue
			}
			b.WriteString(l.goTypeName(pt, inArgs))
		}
		b.WriteString(")")
		switch n := t.Results().Len(); {
		case n == 1:
			b.WriteString(" " + l.goTypeName(t.Results().At(0).Type(), inArgs))
		case n > 1:
			res := make([]string, n)
			for i := range n {
				res[i] = l.goTypeName(t.Results().At(i).Type(), inArgs)
			}
			b.WriteString(" (" + strings.Join(res, ", ") + ")")
		}
		return b.String()
	case *types.Interface:
		if t.Empty() {
			return "interface {}"
		}
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// fmtInterface returns one of fmt's interfaces, by name.
func (l *lowering) fmtInterface(name string) *types.Interface {
	fmtPkg, err := l.s.importer.Import("fmt")
	if err != nil {
		return nil
	}
	iface, _ := fmtPkg.Scope().Lookup(name).Type().Underlying().(*types.Interface)
	return iface
}

// implementsFmt reports whether t implements fmt's interface name.
func (l *lowering) implementsFmt(t types.Type, name string) bool {
	iface := l.fmtInterface(name)
	return iface != nil && types.Implements(t, iface)
}

// formatsItself reports whether fmt prints a t through one of its methods
// (Format; GoString for %#v; Error or String for %+v), which yaegi calls.
func (l *lowering) formatsItself(t types.Type, sharp bool) bool {
	names := []string{"Formatter"}
	if sharp {
		names = append(names, "GoStringer")
	} else {
		names = append(names, "Stringer")
	}
	for _, name := range names {
		if l.implementsFmt(t, name) {
			return true
		}
	}
	if !sharp {
		if iface, ok := types.Universe.Lookup("error").Type().Underlying().(*types.Interface); ok && types.Implements(t, iface) {
			return true
		}
	}
	return false
}

// fieldNamesDiffer returns the cell type, reachable from t, that %+v
// (unexported fields) or %#v (any cell type: its name too) would print
// otherwise than Go, and what the interpreter prints instead.
func (l *lowering) fieldNamesDiffer(t types.Type, sharp bool) (types.Type, string) {
	seen := map[types.Type]bool{}
	var walk func(t types.Type, depth int) (types.Type, string)
	walk = func(t types.Type, depth int) (types.Type, string) {
		if depth > 8 || seen[t] {
			return nil, ""
		}
		seen[t] = true
		if iface, ok := t.Underlying().(*types.Interface); ok {
			for _, n := range l.cellTypes(0) {
				if types.Implements(n, iface) || types.Implements(types.NewPointer(n), iface) {
					if c, why := walk(n, depth+1); c != nil {
						return c, why
					}
				}
			}
			return nil, ""
		}
		if l.formatsItself(t, sharp) {
			return nil, ""
		}
		if sharp && l.isCellType(t) {
			return t, "a struct literal's type for its name (" + l.erased(t) + ")"
		}
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			return walk(u.Elem(), depth+1)
		case *types.Slice:
			return walk(u.Elem(), depth+1)
		case *types.Array:
			return walk(u.Elem(), depth+1)
		case *types.Map:
			if c, why := walk(u.Key(), depth+1); c != nil {
				return c, why
			}
			return walk(u.Elem(), depth+1)
		case *types.Struct:
			for i := range u.NumFields() {
				f := u.Field(i)
				if !f.Exported() && f.Pkg() == l.pkg {
					return t, "its unexported fields renamed (X" + f.Name() + " for " + f.Name() + ")"
				}
				if f.Embedded() && strings.Contains(f.Name(), monoSuffix) {
					// An embedded generic type's copy names its field.
					return t, "the field of an embedded generic type named after the copy the engine runs (" + l.s.unmono(f.Name()) + ")"
				}
				if c, why := walk(f.Type(), depth+1); c != nil {
					return c, why
				}
			}
		}
		return nil, ""
	}
	return walk(t, 0)
}
