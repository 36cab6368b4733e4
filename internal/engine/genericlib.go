package engine

import (
	"cmp"
	"errors"
	"math"
	"reflect"
	"slices"
	"sort"
	"sync"
)

// genericLib implements the generic standard library functions declared in
// genericSources, for cells. yaegi cannot instantiate them, so a cell's
// call slices.Sort(xs) is lowered to __nmfkernelGeneric.SlicesSort(
// (*[]int)(nil), (*int)(nil), xs): one nil pointer per type argument (the
// instantiation go/types inferred), then the arguments, a variadic part
// passed as one slice. Results whose type depends on a type parameter are
// returned as any and asserted to their type by the lowered code. The
// functions work through reflect; function arguments are the cell's
// functions, which yaegi passes as real Go functions.
var genericLib = map[string]reflect.Value{
	"CmpLess":    reflect.ValueOf(func(_ any, x, y any) bool { return compareValues(reflect.ValueOf(x), reflect.ValueOf(y)) < 0 }),
	"CmpCompare": reflect.ValueOf(func(_ any, x, y any) int { return compareValues(reflect.ValueOf(x), reflect.ValueOf(y)) }),
	"CmpOr": reflect.ValueOf(func(_ any, vals any) any {
		v := reflect.ValueOf(vals)
		zero := reflect.Zero(v.Type().Elem())
		for i := range v.Len() {
			if !v.Index(i).Equal(zero) {
				return v.Index(i).Interface()
			}
		}
		return zero.Interface()
	}),

	"IterPull":  reflect.ValueOf(iterPull),
	"IterPull2": reflect.ValueOf(iterPull2),

	"SlicesAll":      reflect.ValueOf(func(ws, we any, s any) any { return seq2Of(ws, we, s, false) }),
	"SlicesBackward": reflect.ValueOf(func(ws, we any, s any) any { return seq2Of(ws, we, s, true) }),
	"SlicesValues": reflect.ValueOf(func(_, we any, s any) any {
		sv := reflect.ValueOf(s)
		return makeSeq(elemOf(we), func(yield func(reflect.Value) bool) {
			for i := range sv.Len() {
				if !yield(sv.Index(i)) {
					return
				}
			}
		})
	}),
	"SlicesAppendSeq": reflect.ValueOf(func(ws, _ any, s, seq any) any {
		out := sliceOf(ws, s)
		rangeSeq(seq, func(v []reflect.Value) bool { out = reflect.Append(out, v[0]); return true })
		return out.Interface()
	}),
	"SlicesCollect": reflect.ValueOf(func(we any, seq any) any {
		out := reflect.Zero(reflect.SliceOf(elemOf(we))) // nil when seq yields nothing, as Go's
		rangeSeq(seq, func(v []reflect.Value) bool { out = reflect.Append(out, v[0]); return true })
		return out.Interface()
	}),
	"SlicesSorted": reflect.ValueOf(func(we any, seq any) any {
		out := reflect.Zero(reflect.SliceOf(elemOf(we))) // nil when seq yields nothing, as Go's
		rangeSeq(seq, func(v []reflect.Value) bool { out = reflect.Append(out, v[0]); return true })
		sortValues(out, nil, false)
		return out.Interface()
	}),
	"SlicesSortedFunc": reflect.ValueOf(func(we any, seq, cmp any) any {
		out := reflect.Zero(reflect.SliceOf(elemOf(we))) // nil when seq yields nothing, as Go's
		rangeSeq(seq, func(v []reflect.Value) bool { out = reflect.Append(out, v[0]); return true })
		sortValues(out, funcCompare(cmp), false)
		return out.Interface()
	}),
	"SlicesSortedStableFunc": reflect.ValueOf(func(we any, seq, cmp any) any {
		out := reflect.Zero(reflect.SliceOf(elemOf(we))) // nil when seq yields nothing, as Go's
		rangeSeq(seq, func(v []reflect.Value) bool { out = reflect.Append(out, v[0]); return true })
		sortValues(out, funcCompare(cmp), true)
		return out.Interface()
	}),
	"SlicesBinarySearch": reflect.ValueOf(func(_, _ any, x, target any) (int, bool) {
		xv, tv := reflect.ValueOf(x), reflect.ValueOf(target)
		i := sort.Search(xv.Len(), func(i int) bool { return compareValues(xv.Index(i), tv) >= 0 })
		return i, i < xv.Len() && compareValues(xv.Index(i), tv) == 0
	}),
	"SlicesBinarySearchFunc": reflect.ValueOf(func(_, _, _ any, x, target, cmp any) (int, bool) {
		xv, tv, cv := reflect.ValueOf(x), reflect.ValueOf(target), reflect.ValueOf(cmp)
		c := func(i int) int { return int(cv.Call([]reflect.Value{xv.Index(i), tv})[0].Int()) }
		i := sort.Search(xv.Len(), func(i int) bool { return c(i) >= 0 })
		return i, i < xv.Len() && c(i) == 0
	}),
	"SlicesChunk": reflect.ValueOf(func(ws, _ any, s any, n int) any {
		if n < 1 {
			panic("cannot be less than 1")
		}
		sv := sliceOf(ws, s)
		return makeSeq(elemOf(ws), func(yield func(reflect.Value) bool) {
			for i := 0; i < sv.Len(); i += n {
				end := min(n, sv.Len()-i)
				if !yield(sv.Slice3(i, i+end, i+end)) {
					return
				}
			}
		})
	}),
	"SlicesClip": reflect.ValueOf(func(ws, _ any, s any) any {
		sv := sliceOf(ws, s)
		return sv.Slice3(0, sv.Len(), sv.Len()).Interface()
	}),
	"SlicesClone": reflect.ValueOf(func(ws, _ any, s any) any {
		sv := sliceOf(ws, s)
		if sv.IsNil() {
			return sv.Interface()
		}
		// append(S{}, s...): the capacity rounded up to the size class.
		return reflect.AppendSlice(reflect.MakeSlice(sv.Type(), 0, 0), sv).Interface()
	}),
	"SlicesCompare": reflect.ValueOf(func(_, _ any, s1, s2 any) int {
		a, b := reflect.ValueOf(s1), reflect.ValueOf(s2)
		for i := range min(a.Len(), b.Len()) {
			if c := compareValues(a.Index(i), b.Index(i)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Len(), b.Len())
	}),
	"SlicesCompareFunc": reflect.ValueOf(func(_, _, _, _ any, s1, s2, compare any) int {
		a, b, cv := reflect.ValueOf(s1), reflect.ValueOf(s2), reflect.ValueOf(compare)
		for i := range min(a.Len(), b.Len()) {
			if c := int(cv.Call([]reflect.Value{a.Index(i), b.Index(i)})[0].Int()); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Len(), b.Len())
	}),
	"SlicesConcat": reflect.ValueOf(func(ws, _ any, slices any) any {
		all := reflect.ValueOf(slices)
		n := 0
		for i := range all.Len() {
			n += all.Index(i).Len()
		}
		if n == 0 {
			return reflect.Zero(elemOf(ws)).Interface()
		}
		// Grow[S](nil, n): the capacity rounded up to the size class.
		out := reflect.AppendSlice(reflect.Zero(elemOf(ws)), reflect.MakeSlice(elemOf(ws), n, n)).Slice(0, 0)
		for i := range all.Len() {
			out = reflect.AppendSlice(out, all.Index(i))
		}
		return out.Interface()
	}),
	"SlicesContains": reflect.ValueOf(func(_, _ any, s, v any) bool { return indexOf(reflect.ValueOf(s), reflect.ValueOf(v)) >= 0 }),
	"SlicesContainsFunc": reflect.ValueOf(func(_, _ any, s, f any) bool {
		return indexFunc(reflect.ValueOf(s), f) >= 0
	}),
	"SlicesIndex":     reflect.ValueOf(func(_, _ any, s, v any) int { return indexOf(reflect.ValueOf(s), reflect.ValueOf(v)) }),
	"SlicesIndexFunc": reflect.ValueOf(func(_, _ any, s, f any) int { return indexFunc(reflect.ValueOf(s), f) }),
	"SlicesEqual": reflect.ValueOf(func(_, _ any, s1, s2 any) bool {
		a, b := reflect.ValueOf(s1), reflect.ValueOf(s2)
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !a.Index(i).Equal(b.Index(i)) {
				return false
			}
		}
		return true
	}),
	"SlicesEqualFunc": reflect.ValueOf(func(_, _, _, _ any, s1, s2, eq any) bool {
		a, b, ev := reflect.ValueOf(s1), reflect.ValueOf(s2), reflect.ValueOf(eq)
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !ev.Call([]reflect.Value{a.Index(i), b.Index(i)})[0].Bool() {
				return false
			}
		}
		return true
	}),
	"SlicesGrow": reflect.ValueOf(func(ws, _ any, s any, n int) any {
		if n < 0 {
			panic("cannot be negative")
		}
		sv := sliceOf(ws, s)
		if sv.Cap()-sv.Len() < n {
			grown := reflect.AppendSlice(sv.Slice(0, sv.Len()), reflect.MakeSlice(sv.Type(), n, n))
			sv = grown.Slice(0, sv.Len())
		}
		return sv.Interface()
	}),
	"SlicesIsSorted": reflect.ValueOf(func(_, _ any, x any) bool {
		xv := reflect.ValueOf(x)
		for i := 1; i < xv.Len(); i++ {
			if compareValues(xv.Index(i), xv.Index(i-1)) < 0 {
				return false
			}
		}
		return true
	}),
	"SlicesIsSortedFunc": reflect.ValueOf(func(_, _ any, x, cmp any) bool {
		xv, cv := reflect.ValueOf(x), reflect.ValueOf(cmp)
		for i := 1; i < xv.Len(); i++ {
			if cv.Call([]reflect.Value{xv.Index(i), xv.Index(i - 1)})[0].Int() < 0 {
				return false
			}
		}
		return true
	}),
	"SlicesMax": reflect.ValueOf(func(_, _ any, x any) any { return extreme(x, nil, 1, "slices.Max: empty list") }),
	"SlicesMin": reflect.ValueOf(func(_, _ any, x any) any { return extreme(x, nil, -1, "slices.Min: empty list") }),
	"SlicesMaxFunc": reflect.ValueOf(func(_, _ any, x, cmp any) any {
		return extreme(x, cmp, 1, "slices.MaxFunc: empty list")
	}),
	"SlicesMinFunc": reflect.ValueOf(func(_, _ any, x, cmp any) any {
		return extreme(x, cmp, -1, "slices.MinFunc: empty list")
	}),
	"SlicesRepeat": reflect.ValueOf(func(ws, _ any, x any, count int) any {
		if count < 0 {
			panic("cannot be negative")
		}
		xv := sliceOf(ws, x)
		if xv.Len() > 0 && count > math.MaxInt/xv.Len() {
			panic("the result of (len(x) * count) overflows")
		}
		out := reflect.MakeSlice(xv.Type(), xv.Len()*count, xv.Len()*count)
		for k := range count {
			reflect.Copy(out.Slice(k*xv.Len(), (k+1)*xv.Len()), xv)
		}
		return out.Interface()
	}),
	"SlicesReverse": reflect.ValueOf(func(_, _ any, s any) {
		sv := reflect.ValueOf(s)
		swap := reflect.Swapper(s)
		for i, j := 0, sv.Len()-1; i < j; i, j = i+1, j-1 {
			swap(i, j)
		}
	}),
	"SlicesSort": reflect.ValueOf(func(_, _ any, x any) {
		xv := reflect.ValueOf(x)
		sortValues(xv, nil, false)
	}),
	"SlicesSortFunc": reflect.ValueOf(func(_, _ any, x, cmp any) {
		xv := reflect.ValueOf(x)
		sortValues(xv, funcCompare(cmp), false)
	}),
	"SlicesSortStableFunc": reflect.ValueOf(func(_, _ any, x, cmp any) {
		xv := reflect.ValueOf(x)
		sortValues(xv, funcCompare(cmp), true)
	}),

	"MapsAll": reflect.ValueOf(func(wm, _, _ any, m any) any {
		mt := elemOf(wm)
		mv := reflect.ValueOf(m)
		return makeSeq2(mt.Key(), mt.Elem(), func(yield func(k, v reflect.Value) bool) {
			it := mv.MapRange()
			for it.Next() {
				if !yield(it.Key(), it.Value()) {
					return
				}
			}
		})
	}),
	"MapsKeys": reflect.ValueOf(func(wm, _, _ any, m any) any {
		return mapSeq(elemOf(wm).Key(), m, (*reflect.MapIter).Key)
	}),
	"MapsValues": reflect.ValueOf(func(wm, _, _ any, m any) any {
		return mapSeq(elemOf(wm).Elem(), m, (*reflect.MapIter).Value)
	}),
	"MapsClone": reflect.ValueOf(func(wm, _, _ any, m any) any {
		mv := reflect.ValueOf(m)
		if !mv.IsValid() {
			return reflect.Zero(elemOf(wm)).Interface()
		}
		if mv.IsNil() {
			return mv.Interface()
		}
		out := reflect.MakeMapWithSize(mv.Type(), mv.Len())
		it := mv.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), it.Value())
		}
		return out.Interface()
	}),
	"MapsCollect": reflect.ValueOf(func(wk, wv any, seq any) any {
		out := reflect.MakeMap(reflect.MapOf(elemOf(wk), elemOf(wv)))
		rangeSeq(seq, func(kv []reflect.Value) bool { out.SetMapIndex(kv[0], kv[1]); return true })
		return out.Interface()
	}),
	"MapsInsert": reflect.ValueOf(func(_, _, _ any, m, seq any) {
		mv := reflect.ValueOf(m)
		rangeSeq(seq, func(kv []reflect.Value) bool { mv.SetMapIndex(kv[0], kv[1]); return true })
	}),
	"MapsCopy": reflect.ValueOf(func(_, _, _, _ any, dst, src any) {
		dv, sv := reflect.ValueOf(dst), reflect.ValueOf(src)
		it := sv.MapRange()
		for it.Next() {
			dv.SetMapIndex(it.Key(), it.Value())
		}
	}),
	"MapsDeleteFunc": reflect.ValueOf(func(_, _, _ any, m, del any) {
		mv, dv := reflect.ValueOf(m), reflect.ValueOf(del)
		for _, k := range mv.MapKeys() {
			if dv.Call([]reflect.Value{k, mv.MapIndex(k)})[0].Bool() {
				mv.SetMapIndex(k, reflect.Value{})
			}
		}
	}),
	"MapsEqual": reflect.ValueOf(func(_, _, _, _ any, m1, m2 any) bool {
		return mapsEqual(reflect.ValueOf(m1), reflect.ValueOf(m2), func(a, b reflect.Value) bool { return a.Equal(b) })
	}),
	"MapsEqualFunc": reflect.ValueOf(func(_, _, _, _, _ any, m1, m2, eq any) bool {
		return mapsEqual(reflect.ValueOf(m1), reflect.ValueOf(m2), funcEq(eq))
	}),

	"ErrorsAsType": reflect.ValueOf(func(we any, err error) (any, bool) {
		target := reflect.New(elemOf(we))
		if errors.As(err, target.Interface()) {
			return target.Elem().Interface(), true
		}
		return target.Elem().Interface(), false
	}),

	"SyncOnceValue": reflect.ValueOf(func(wt any, f any) any {
		fv := reflect.ValueOf(f)
		var once sync.Once
		var r []reflect.Value
		return reflect.MakeFunc(fv.Type(), func([]reflect.Value) []reflect.Value {
			once.Do(func() { r = fv.Call(nil) })
			return r
		}).Interface()
	}),
	"SyncOnceValues": reflect.ValueOf(func(_, _ any, f any) any {
		fv := reflect.ValueOf(f)
		var once sync.Once
		var r []reflect.Value
		return reflect.MakeFunc(fv.Type(), func([]reflect.Value) []reflect.Value {
			once.Do(func() { r = fv.Call(nil) })
			return r
		}).Interface()
	}),
}

// mapSeq makes an iter.Seq over a map's keys or values.
func mapSeq(elem reflect.Type, m any, pick func(*reflect.MapIter) reflect.Value) any {
	mv := reflect.ValueOf(m)
	return makeSeq(elem, func(yield func(reflect.Value) bool) {
		it := mv.MapRange()
		for it.Next() {
			if !yield(pick(it)) {
				return
			}
		}
	})
}

// elemOf returns T for a type witness (*T)(nil).
func elemOf(w any) reflect.Type { return reflect.TypeOf(w).Elem() }

// sliceOf returns s as a value of the slice type its witness names (s may
// be an untyped nil).
func sliceOf(ws any, s any) reflect.Value {
	v := reflect.ValueOf(s)
	if !v.IsValid() {
		return reflect.Zero(elemOf(ws))
	}
	return v
}

// compareValues is cmp.Compare on two values of one ordered type (NaN
// first, equal to itself).
func compareValues(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	}
	panic("compare: " + a.Type().String() + " is not an ordered type")
}

// boundsCheck slices a slice of n zero-size elements [i:j], which panics
// exactly as Go's slices functions do on s[i:j] (runtime error: slice
// bounds out of range [5:4]); reflect's Slice would panic with its own
// words.
func boundsCheck(n, i, j int) {
	_ = make([]struct{}, n)[i:j]
}

// funcCompare calls a cell's comparison function on two elements.
func funcCompare(cmp any) func(a, b reflect.Value) int {
	cv := reflect.ValueOf(cmp)
	return func(a, b reflect.Value) int { return int(cv.Call([]reflect.Value{a, b})[0].Int()) }
}

func funcEq(eq any) func(a, b reflect.Value) bool {
	ev := reflect.ValueOf(eq)
	return func(a, b reflect.Value) bool { return ev.Call([]reflect.Value{a, b})[0].Bool() }
}

// sortValues sorts a slice value in place as slices.Sort (compare nil:
// the natural order) or slices.SortFunc / SortStableFunc (stable) would.
// It sorts a permutation of the indices with those very functions, so the
// comparisons they make, and therefore the order they leave equal or
// inconsistently compared elements in, are Go's own; a comparator is never
// skipped. Unnamed []int, []string and []float64 in the natural order are
// sorted directly (the same algorithm on the same comparisons).
func sortValues(xv reflect.Value, compare func(a, b reflect.Value) int, stable bool) {
	if compare == nil {
		if xv.Type().Elem().PkgPath() == "" {
			switch x := xv.Interface().(type) {
			case []int:
				slices.Sort(x)
				return
			case []string:
				slices.Sort(x)
				return
			case []float64:
				slices.Sort(x)
				return
			}
		}
		compare = compareValues
	}
	n := xv.Len()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	byIndex := func(i, j int) int { return compare(xv.Index(i), xv.Index(j)) }
	if stable {
		slices.SortStableFunc(perm, byIndex)
	} else {
		slices.SortFunc(perm, byIndex)
	}
	sorted := reflect.MakeSlice(xv.Type(), n, n)
	for i, from := range perm {
		sorted.Index(i).Set(xv.Index(from))
	}
	reflect.Copy(xv, sorted)
}

func indexOf(sv, v reflect.Value) int {
	for i := range sv.Len() {
		if sv.Index(i).Equal(v) {
			return i
		}
	}
	return -1
}

func indexFunc(sv reflect.Value, f any) int {
	fv := reflect.ValueOf(f)
	for i := range sv.Len() {
		if fv.Call([]reflect.Value{sv.Index(i)})[0].Bool() {
			return i
		}
	}
	return -1
}

func extreme(x, cmp any, sign int, empty string) any {
	xv := reflect.ValueOf(x)
	if xv.Len() == 0 {
		panic(empty)
	}
	var cv reflect.Value
	if cmp != nil {
		cv = reflect.ValueOf(cmp)
	}
	best := xv.Index(0)
	if k := best.Kind(); cmp == nil && (k == reflect.Float32 || k == reflect.Float64) {
		// m = max(m, x[i]), the builtins: NaN wins, max(-0, 0) is 0.
		m := best.Float()
		for i := 1; i < xv.Len(); i++ {
			if sign > 0 {
				m = max(m, xv.Index(i).Float())
			} else {
				m = min(m, xv.Index(i).Float())
			}
		}
		return reflect.ValueOf(m).Convert(best.Type()).Interface()
	}
	for i := 1; i < xv.Len(); i++ {
		v := xv.Index(i)
		var c int
		if cmp != nil {
			c = int(cv.Call([]reflect.Value{v, best})[0].Int())
		} else {
			c = compareValues(v, best)
		}
		if c*sign > 0 {
			best = v
		}
	}
	return best.Interface()
}

func mapsEqual(a, b reflect.Value, eq func(a, b reflect.Value) bool) bool {
	if a.Len() != b.Len() {
		return false
	}
	it := a.MapRange()
	for it.Next() {
		w := b.MapIndex(it.Key())
		if !w.IsValid() || !eq(it.Value(), w) {
			return false
		}
	}
	return true
}

// rangeSeq calls an iter.Seq or iter.Seq2 (any func(yield func(...) bool))
// with a yield that passes each element to f.
func rangeSeq(seq any, f func([]reflect.Value) bool) {
	sv := reflect.ValueOf(seq)
	yt := sv.Type().In(0)
	yield := reflect.MakeFunc(yt, func(args []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.ValueOf(f(args))}
	})
	sv.Call([]reflect.Value{yield})
}

// makeSeq makes a func(yield func(E) bool) from a Go iterator over values.
func makeSeq(elem reflect.Type, body func(yield func(reflect.Value) bool)) any {
	yt := reflect.FuncOf([]reflect.Type{elem}, []reflect.Type{reflect.TypeFor[bool]()}, false)
	st := reflect.FuncOf([]reflect.Type{yt}, nil, false)
	return reflect.MakeFunc(st, func(args []reflect.Value) []reflect.Value {
		y := args[0]
		body(func(v reflect.Value) bool { return y.Call([]reflect.Value{v})[0].Bool() })
		return nil
	}).Interface()
}

// makeSeq2 makes a func(yield func(K, V) bool).
func makeSeq2(key, elem reflect.Type, body func(yield func(k, v reflect.Value) bool)) any {
	yt := reflect.FuncOf([]reflect.Type{key, elem}, []reflect.Type{reflect.TypeFor[bool]()}, false)
	st := reflect.FuncOf([]reflect.Type{yt}, nil, false)
	return reflect.MakeFunc(st, func(args []reflect.Value) []reflect.Value {
		y := args[0]
		body(func(k, v reflect.Value) bool { return y.Call([]reflect.Value{k, v})[0].Bool() })
		return nil
	}).Interface()
}

func seq2Of(ws, we any, s any, backward bool) any {
	sv := sliceOf(ws, s)
	return makeSeq2(reflect.TypeFor[int](), elemOf(we), func(yield func(k, v reflect.Value) bool) {
		n := sv.Len()
		for j := range n {
			i := j
			if backward {
				i = n - 1 - j
			}
			if !yield(reflect.ValueOf(i), sv.Index(i)) {
				return
			}
		}
	})
}

// iterPull is iter.Pull on a goroutine: next asks the iterator for one
// more value; stop ends it.
func iterPull(wv any, seq any) (any, func()) {
	return pull(seq, []reflect.Type{elemOf(wv)})
}

func iterPull2(wk, wv any, seq any) (any, func()) {
	return pull(seq, []reflect.Type{elemOf(wk), elemOf(wv)})
}

func pull(seq any, elems []reflect.Type) (any, func()) {
	type item struct {
		vals []reflect.Value
		ok   bool
	}
	req := make(chan bool)
	items := make(chan item)
	var started, done bool
	var mu sync.Mutex
	run := func() {
		defer close(items)
		if !<-req {
			return
		}
		rangeSeq(seq, func(v []reflect.Value) bool {
			items <- item{v, true}
			return <-req
		})
	}
	outs := append(append([]reflect.Type{}, elems...), reflect.TypeFor[bool]())
	nextT := reflect.FuncOf(nil, outs, false)
	next := reflect.MakeFunc(nextT, func([]reflect.Value) []reflect.Value {
		mu.Lock()
		defer mu.Unlock()
		res := make([]reflect.Value, len(outs))
		for i, t := range elems {
			res[i] = reflect.Zero(t)
		}
		res[len(elems)] = reflect.ValueOf(false)
		if done {
			return res
		}
		if !started {
			started = true
			go run()
		}
		req <- true
		it, ok := <-items
		if !ok {
			done = true
			return res
		}
		copy(res, it.vals)
		res[len(elems)] = reflect.ValueOf(true)
		return res
	}).Interface()
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		done = true
		if started {
			req <- false
			for range items {
			}
		}
	}
	return next, stop
}
