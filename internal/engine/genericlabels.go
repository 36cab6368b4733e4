package engine

import (
	"reflect"
	"slices"
)

// viaLabels runs op — a call of Go's own slices function on []int — on
// labels standing for the elements of s's backing array (k+1 for element
// k, up to cap(s)) and of extra (cap(s)+1+m), then does to s's backing
// array what op did to the labels' (0 is a cleared element) and builds
// the result from the labels op returned. So the generic library's
// Insert, Replace, Delete, Compact and friends move, overwrite and clear
// exactly the elements Go's do, overlapping arguments included; a result
// op allocated gets the capacity append gives E's type, growing a slice
// of capacity allocFrom (the runtime rounds up by the element's size).
func viaLabels(sv, extra reflect.Value, allocFrom int, op func(s, v []int) []int) reflect.Value {
	n, c := sv.Len(), sv.Cap()
	var full, old reflect.Value
	if sv.IsValid() && !sv.IsNil() {
		full = sv.Slice3(0, c, c)
		old = reflect.MakeSlice(sv.Type(), c, c)
		reflect.Copy(old, full)
	}
	labels := make([]int, c)
	for k := range labels {
		labels[k] = k + 1
	}
	var idx []int
	if full.IsValid() {
		idx = labels[:n:c]
	}
	var vLabels []int
	if extra.IsValid() {
		vLabels = make([]int, extra.Len())
		for m := range vLabels {
			vLabels[m] = c + 1 + m
			if i, ok := aliasIndex(full, extra, m); ok {
				vLabels[m] = i + 1 // v aliases s: the same element
			}
		}
		if len(vLabels) > 0 && vLabels[0] <= c {
			// v is a part of s's backing array: hand op that very part.
			first := vLabels[0] - 1
			vLabels = labels[first : first+len(vLabels)]
		}
	}
	value := func(label int) reflect.Value {
		switch {
		case label == 0:
			return reflect.Zero(sv.Type().Elem())
		case label <= c:
			return old.Index(label - 1)
		}
		return extra.Index(label - c - 1)
	}
	r := op(idx, vLabels)
	for k, label := range labels {
		if label != k+1 {
			full.Index(k).Set(value(label))
		}
	}
	switch {
	case r == nil:
		return reflect.Zero(sv.Type())
	case cap(r) > 0 && c > 0 && &r[:cap(r)][0] == &labels[0]:
		return full.Slice3(0, len(r), cap(r))
	case cap(r) == 0:
		if full.IsValid() {
			return full.Slice(0, 0)
		}
		return reflect.MakeSlice(sv.Type(), 0, 0)
	}
	grown := reflect.AppendSlice(reflect.MakeSlice(sv.Type(), allocFrom, allocFrom), reflect.MakeSlice(sv.Type(), len(r)-allocFrom, len(r)-allocFrom))
	out := grown.Slice(0, len(r))
	for k, label := range r {
		out.Index(k).Set(value(label))
	}
	return out
}

// aliasIndex reports the index in full (a backing array) of extra's m-th
// element, when extra lies inside it.
func aliasIndex(full, extra reflect.Value, m int) (int, bool) {
	if !full.IsValid() || full.Len() == 0 || extra.Len() == 0 || full.Type().Elem().Size() == 0 {
		return 0, false
	}
	size := full.Type().Elem().Size()
	base := full.Index(0).Addr().Pointer()
	p := extra.Index(m).Addr().Pointer()
	if p < base || p >= base+uintptr(full.Len())*size {
		return 0, false
	}
	return int((p - base) / size), true
}

// labelOps are the generic library's slices functions that move elements,
// each through Go's own implementation on labels (see viaLabels).
var labelOps = map[string]reflect.Value{
	"SlicesInsert": reflect.ValueOf(func(ws, _ any, s any, i int, v any) any {
		sv := sliceOf(ws, s)
		boundsCheck(sv.Len(), i, sv.Len())
		return viaLabels(sv, reflect.ValueOf(v), sv.Cap(), func(s, v []int) []int { return slices.Insert(s, i, v...) }).Interface()
	}),
	"SlicesReplace": reflect.ValueOf(func(ws, _ any, s any, i, j int, v any) any {
		sv := sliceOf(ws, s)
		_ = make([]struct{}, sv.Len(), sv.Cap())[i:j] // s[i:j], as slices.Replace checks
		return viaLabels(sv, reflect.ValueOf(v), sv.Cap(), func(s, v []int) []int { return slices.Replace(s, i, j, v...) }).Interface()
	}),
	"SlicesDelete": reflect.ValueOf(func(ws, _ any, s any, i, j int) any {
		sv := sliceOf(ws, s)
		_ = make([]struct{}, sv.Len())[i:j:sv.Len()] // s[i:j:len(s)], as slices.Delete checks
		return viaLabels(sv, reflect.Value{}, sv.Cap(), func(s, _ []int) []int { return slices.Delete(s, i, j) }).Interface()
	}),
	"SlicesDeleteFunc": reflect.ValueOf(func(ws, _ any, s, del any) any {
		sv, dv := sliceOf(ws, s), reflect.ValueOf(del)
		old := reflect.MakeSlice(sv.Type(), sv.Len(), sv.Len())
		reflect.Copy(old, sv)
		return viaLabels(sv, reflect.Value{}, sv.Cap(), func(s, _ []int) []int {
			return slices.DeleteFunc(s, func(label int) bool { return dv.Call([]reflect.Value{old.Index(label - 1)})[0].Bool() })
		}).Interface()
	}),
	"SlicesCompact": reflect.ValueOf(func(ws, _ any, s any) any {
		sv := sliceOf(ws, s)
		old := reflect.MakeSlice(sv.Type(), sv.Len(), sv.Len())
		reflect.Copy(old, sv)
		return viaLabels(sv, reflect.Value{}, sv.Cap(), func(s, _ []int) []int {
			return slices.CompactFunc(s, func(a, b int) bool { return old.Index(a - 1).Equal(old.Index(b - 1)) })
		}).Interface()
	}),
	"SlicesCompactFunc": reflect.ValueOf(func(ws, _ any, s, eq any) any {
		sv, ev := sliceOf(ws, s), reflect.ValueOf(eq)
		old := reflect.MakeSlice(sv.Type(), sv.Len(), sv.Len())
		reflect.Copy(old, sv)
		return viaLabels(sv, reflect.Value{}, sv.Cap(), func(s, _ []int) []int {
			return slices.CompactFunc(s, func(a, b int) bool { return ev.Call([]reflect.Value{old.Index(a - 1), old.Index(b - 1)})[0].Bool() })
		}).Interface()
	}),
}

func init() {
	for name, f := range labelOps {
		genericLib[name] = f
	}
}
