package engine

import (
	"io"
	"reflect"
	"strconv"
)

// runtimePrint writes args as the print and println builtins do (Go's
// runtime formatting: floats and complex numbers as strconv's shortest
// 'g', pointers in hex, slices as [len/cap]pointer, interfaces as their
// two words), separated by spaces and ended by a newline for println.
func runtimePrint(w io.Writer, newline bool, args []any) {
	var b []byte
	for i, a := range args {
		if newline && i > 0 {
			b = append(b, ' ')
		}
		b = appendRuntime(b, a)
	}
	if newline {
		b = append(b, '\n')
	}
	w.Write(b)
}

func appendRuntime(b []byte, a any) []byte {
	v := reflect.ValueOf(a)
	if !v.IsValid() {
		return append(b, "(0x0,0x0)"...)
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32:
		return strconv.AppendFloat(b, v.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.AppendFloat(b, v.Float(), 'g', -1, 64)
	case reflect.Complex64:
		return append(b, strconv.FormatComplex(v.Complex(), 'g', -1, 64)...)
	case reflect.Complex128:
		return append(b, strconv.FormatComplex(v.Complex(), 'g', -1, 128)...)
	case reflect.String:
		return append(b, v.String()...)
	case reflect.Pointer, reflect.Chan, reflect.Map, reflect.Func, reflect.UnsafePointer:
		return appendHex(b, uint64(v.Pointer()))
	case reflect.Slice:
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(v.Len()), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(v.Cap()), 10)
		b = append(b, ']')
		return appendHex(b, uint64(v.Pointer()))
	}
	// Any other value (an interface's contents as a struct): the runtime
	// prints an interface as (type,data); its words are not reachable.
	return append(b, "(0x0,0x0)"...)
}

func appendHex(b []byte, x uint64) []byte {
	return append(append(b, "0x"...), strconv.FormatUint(x, 16)...)
}
