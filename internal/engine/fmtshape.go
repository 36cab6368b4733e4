package engine

// %+v and %#v of the cell's own types, printed by the kernel: yaegi
// builds a cell's struct types with reflect.StructOf, which has no type
// names and exports every field (a becomes Xa), so fmt printed {Xa:1} for
// %+v and struct { Xa int }{Xa:1} for %#v. The lowering describes the
// static type of such an argument (its names as Go writes them, its
// fields' real names) in a shape, and hands fmt the value wrapped with
// it; the wrapper's Format walks the value as fmt's printValue does,
// printing what involves no cell type through fmt itself.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"go/types"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// fmtShape describes a type for printing with %+v or %#v.
type fmtShape struct {
	// Kind is "struct", "ptr", "slice", "array", "map", or "leaf": a
	// type fmt prints right by itself (no cell type in it, or a cell
	// type over a basic type without methods, which fmt prints as its
	// underlying type does).
	Kind string `json:"k"`
	// Name is the type as Go's reflect writes it (main.T, []main.T).
	Name   string     `json:"n,omitempty"`
	Fields []fmtField `json:"f,omitempty"`
	Elem   *fmtShape  `json:"e,omitempty"`
	Key    *fmtShape  `json:"key,omitempty"`
	// Plain is set on a leaf reached through an unexported field whose
	// type has a String or Error method: fmt cannot call methods there
	// (the field's value cannot be had as an interface), so it prints the
	// basic value; yaegi's fields are all exported, so the wrapper
	// converts the value to its basic type first.
	Plain bool `json:"p,omitempty"`
	// Methods is set on a leaf fmt prints through a method of its type
	// (String, Error, GoString, Format): fmt, given it alone, does.
	Methods bool `json:"m,omitempty"`
}

// fmtField is a struct field: its name in the cell and its shape.
type fmtField struct {
	Name  string   `json:"n"`
	Shape fmtShape `json:"s"`
}

// shapes caches the shapes lowered cells pass, by their JSON text.
var shapes sync.Map

// shapedValue is a value printed by its shape (see Format).
type shapedValue struct {
	shape *fmtShape
	v     any
}

// shaped returns v wrapped with the shape described by the JSON text
// shape, for fmt.
func shaped(shape string, v any) any {
	s, ok := shapes.Load(shape)
	if !ok {
		parsed := new(fmtShape)
		if err := json.Unmarshal([]byte(shape), parsed); err != nil {
			return v // the lowering wrote it: never happens
		}
		s, _ = shapes.LoadOrStore(shape, parsed)
	}
	return shapedValue{s.(*fmtShape), v}
}

// Format prints the value as fmt prints it with %+v or %#v.
func (sv shapedValue) Format(f fmt.State, verb rune) {
	if verb != 'v' {
		fmt.Fprintf(f, fmt.FormatString(f, verb), sv.v)
		return
	}
	p := shapePrinter{sharp: f.Flag('#'), plus: f.Flag('+')}
	p.print(sv.shape, reflect.ValueOf(sv.v), 0)
	f.Write([]byte(p.b.String()))
}

// shapePrinter writes values as fmt's printValue does under %+v or %#v.
type shapePrinter struct {
	b           strings.Builder
	sharp, plus bool
}

func (p *shapePrinter) verb() string {
	if p.sharp {
		return "%#v"
	}
	return "%+v"
}

func (p *shapePrinter) print(s *fmtShape, v reflect.Value, depth int) {
	if !v.IsValid() {
		p.b.WriteString("<invalid reflect.Value>")
		return
	}
	switch s.Kind {
	case "struct":
		if p.sharp {
			p.b.WriteString(s.Name)
		}
		p.b.WriteByte('{')
		for i, fld := range s.Fields {
			if i > 0 {
				if p.sharp {
					p.b.WriteString(", ")
				} else {
					p.b.WriteByte(' ')
				}
			}
			p.b.WriteString(fld.Name)
			p.b.WriteByte(':')
			if i < v.NumField() {
				p.print(&fld.Shape, v.Field(i), depth+1)
			}
		}
		p.b.WriteByte('}')
	case "ptr":
		if depth == 0 && !v.IsNil() && s.Elem != nil {
			switch s.Elem.Kind {
			case "struct", "slice", "array", "map":
				p.b.WriteByte('&')
				p.print(s.Elem, v.Elem(), depth+1)
				return
			}
		}
		p.pointer(s.Name, v)
	case "slice", "array":
		if p.sharp {
			if s.Kind == "slice" && v.IsNil() {
				p.b.WriteString(s.Name + "(nil)")
				return
			}
			p.b.WriteString(s.Name + "{")
		} else {
			p.b.WriteByte('[')
		}
		for i := range v.Len() {
			if i > 0 {
				if p.sharp {
					p.b.WriteString(", ")
				} else {
					p.b.WriteByte(' ')
				}
			}
			p.print(s.Elem, v.Index(i), depth+1)
		}
		if p.sharp {
			p.b.WriteByte('}')
		} else {
			p.b.WriteByte(']')
		}
	case "map":
		if p.sharp {
			if v.IsNil() {
				p.b.WriteString(s.Name + "(nil)")
				return
			}
			p.b.WriteString(s.Name + "{")
		} else {
			p.b.WriteString("map[")
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, compareKeys)
		for i, k := range keys {
			if i > 0 {
				if p.sharp {
					p.b.WriteString(", ")
				} else {
					p.b.WriteByte(' ')
				}
			}
			p.print(s.Key, k, depth+1)
			p.b.WriteByte(':')
			p.print(s.Elem, v.MapIndex(k), depth+1)
		}
		if p.sharp {
			p.b.WriteByte('}')
		} else {
			p.b.WriteByte(']')
		}
	default: // leaf
		if v.Kind() == reflect.Pointer && depth > 0 && !s.Methods {
			p.pointer(v.Type().String(), v)
			return
		}
		if s.Plain {
			if t, ok := basicOfKind[v.Kind()]; ok {
				v = v.Convert(t)
			}
		}
		// fmt prints a reflect.Value as the value it holds, at depth 0
		// (the same text as nested, but for pointers, handled above).
		fmt.Fprintf(&p.b, p.verb(), v)
	}
}

// basicOfKind is the predeclared type of each basic kind.
var basicOfKind = map[reflect.Kind]reflect.Type{
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: reflect.TypeFor[string](),
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](), reflect.Int16: reflect.TypeFor[int16](),
	reflect.Int32: reflect.TypeFor[int32](), reflect.Int64: reflect.TypeFor[int64](),
	reflect.Uint: reflect.TypeFor[uint](), reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](), reflect.Uintptr: reflect.TypeFor[uintptr](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
	reflect.Complex64: reflect.TypeFor[complex64](), reflect.Complex128: reflect.TypeFor[complex128](),
}

// pointer writes a pointer as fmt's fmtPointer does for %v.
func (p *shapePrinter) pointer(name string, v reflect.Value) {
	switch {
	case p.sharp && v.IsNil():
		fmt.Fprintf(&p.b, "(%s)(nil)", name)
	case p.sharp:
		fmt.Fprintf(&p.b, "(%s)(0x%x)", name, v.Pointer())
	case v.IsNil():
		p.b.WriteString("<nil>")
	default:
		fmt.Fprintf(&p.b, "0x%x", v.Pointer())
	}
}

// compareKeys orders map keys of basic kinds as fmt's internal/fmtsort
// does (the lowering lets no other key kind through).
func compareKeys(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.String:
		return strings.Compare(a.String(), b.String())
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return -1
		case math.IsNaN(y):
			return 1
		}
		return cmp.Compare(x, y)
	case reflect.Bool:
		switch {
		case a.Bool() == b.Bool():
			return 0
		case !a.Bool():
			return -1
		}
		return 1
	}
	return 0
}

// fmtShapeOf describes t for shaped, or reports false when the kernel
// cannot print it as Go does: an interface a cell type could be the value
// of, a cell type fmt would print through one of its methods or that has
// methods (yaegi hands such values over as its own records), a map key
// not of a basic kind, a type nested too deep.
func (l *lowering) fmtShapeOf(t types.Type, sharp, hidden bool, depth int) (fmtShape, bool) {
	if depth > 8 {
		return fmtShape{}, false
	}
	t = types.Unalias(t)
	if !l.involvesCellType(t) {
		if iface, ok := t.Underlying().(*types.Interface); ok && len(l.implementersAnywhere(iface)) > 0 {
			return fmtShape{}, false
		}
		methods := l.formatsItself(t, sharp)
		switch {
		case hidden && methods && isPointer(t):
			return fmtShape{Kind: "leaf"}, true // an address, as any nested pointer
		case hidden && methods:
			if _, basic := t.Underlying().(*types.Basic); !basic {
				return fmtShape{}, false
			}
			return fmtShape{Kind: "leaf", Plain: true}, true
		}
		return fmtShape{Kind: "leaf", Methods: methods}, true
	}
	if l.isCellType(t) && !isPointer(t) && (hasMethods(t) || l.formatsItself(t, sharp)) {
		return fmtShape{}, false
	}
	name := l.goTypeName(t, false)
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return fmtShape{Kind: "leaf"}, true
	case *types.Struct:
		s := fmtShape{Kind: "struct", Name: name}
		for i := range u.NumFields() {
			f := u.Field(i)
			if f.Embedded() && strings.Contains(f.Name(), monoSuffix) {
				return fmtShape{}, false
			}
			fs, ok := l.fmtShapeOf(f.Type(), sharp, hidden || !f.Exported(), depth+1)
			if !ok {
				return fmtShape{}, false
			}
			s.Fields = append(s.Fields, fmtField{Name: f.Name(), Shape: fs})
		}
		return s, true
	case *types.Pointer:
		if depth > 0 {
			// Nested, a pointer prints as an address: its element's
			// shape is not needed (and a type may point to itself).
			return fmtShape{Kind: "ptr", Name: name}, true
		}
		es, ok := l.fmtShapeOf(u.Elem(), sharp, hidden, depth+1)
		if !ok || es.Kind == "leaf" && l.isCellType(u.Elem()) {
			return fmtShape{}, false
		}
		return fmtShape{Kind: "ptr", Name: name, Elem: &es}, true
	case *types.Slice, *types.Array:
		es, ok := l.fmtShapeOf(u.(interface{ Elem() types.Type }).Elem(), sharp, hidden, depth+1)
		if !ok {
			return fmtShape{}, false
		}
		kind := "slice"
		if _, isArray := u.(*types.Array); isArray {
			kind = "array"
		}
		return fmtShape{Kind: kind, Name: name, Elem: &es}, true
	case *types.Map:
		kb, ok := u.Key().Underlying().(*types.Basic)
		if !ok || kb.Info()&(types.IsInteger|types.IsFloat|types.IsString|types.IsBoolean) == 0 {
			return fmtShape{}, false
		}
		ks, ok1 := l.fmtShapeOf(u.Key(), sharp, hidden, depth+1)
		es, ok2 := l.fmtShapeOf(u.Elem(), sharp, hidden, depth+1)
		if !ok1 || !ok2 {
			return fmtShape{}, false
		}
		return fmtShape{Kind: "map", Name: name, Key: &ks, Elem: &es}, true
	}
	return fmtShape{}, false
}

// implementersAnywhere lists the cell types that implement iface.
func (l *lowering) implementersAnywhere(iface *types.Interface) []types.Type {
	var out []types.Type
	for _, n := range l.cellTypes(0) {
		for _, t := range []types.Type{n, types.NewPointer(n)} {
			if types.Implements(t, iface) {
				out = append(out, t)
			}
		}
	}
	return out
}

func isPointer(t types.Type) bool {
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}
