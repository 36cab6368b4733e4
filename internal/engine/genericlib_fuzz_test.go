package engine

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// call calls the generic library's implementation of name with args.
func call(name string, args ...any) []any {
	fn := genericLib[name]
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		if a == nil {
			in[i] = reflect.Zero(fn.Type().In(i))
			continue
		}
		in[i] = reflect.ValueOf(a)
	}
	var out []any
	for _, v := range fn.Call(in) {
		out = append(out, v.Interface())
	}
	return out
}

// outcome runs f and returns its result, or the panic it raised, as text.
func outcome(f func() any) (s string) {
	defer func() {
		if p := recover(); p != nil {
			s = fmt.Sprint("panic: ", p)
		}
	}()
	return fmt.Sprintf("%v", f())
}

// fuzzInts makes a slice of small ints with spare capacity from data.
func fuzzInts(data []byte, spare uint8) []int {
	xs := make([]int, len(data), len(data)+int(spare%5))
	for i, b := range data {
		xs[i] = int(b%16) - 8
	}
	return xs
}

// backing shows a slice's whole backing array.
func backing(xs []int) string { return fmt.Sprint(xs[:cap(xs)]) }

// FuzzGenericSlices compares the kernel's hand-written generic library
// (what cells' slices calls run) with Go's slices package on the same
// inputs: results, panics, and what each left in its argument's backing
// array, for sorting with comparators that are not the natural order,
// searching, compacting, insert, delete and replace.
func FuzzGenericSlices(f *testing.F) {
	f.Add([]byte{3, 1, 2, 2, 9}, []byte{7}, uint8(1), uint8(3), uint8(2))
	f.Add([]byte{}, []byte{}, uint8(0), uint8(0), uint8(0))
	f.Add([]byte{5, 5, 5, 1}, []byte{1, 2, 3}, uint8(4), uint8(1), uint8(4))
	f.Add([]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 20}, []byte{0, 0}, uint8(2), uint8(9), uint8(3))
	f.Fuzz(fuzzGenericSlices)
}

func fuzzGenericSlices(t *testing.T, data, vdata []byte, i, j, spare uint8) {
	{
		ws, we := (*[]int)(nil), (*int)(nil)
		v := fuzzInts(vdata, 0)
		ii, jj := int(i%20), int(j%20)
		comparators := map[string]func(a, b int) int{
			"natural":      cmp.Compare[int],
			"reversed":     func(a, b int) int { return b - a },
			"abs":          func(a, b int) int { return cmp.Compare(a*a, b*b) },
			"inconsistent": func(a, b int) int { return (a ^ b) & 1 },
		}
		check := func(name string, mine, gos func(xs []int) any) {
			a, b := fuzzInts(data, spare), fuzzInts(data, spare)
			got := outcome(func() any { return mine(a) })
			want := outcome(func() any { return gos(b) })
			if got != want || backing(a) != backing(b) {
				t.Errorf("%s(%v): kernel %s, backing %s; Go %s, backing %s", name, fuzzInts(data, spare), got, backing(a), want, backing(b))
			}
		}
		check("Sort", func(xs []int) any { call("SlicesSort", ws, we, xs); return xs }, func(xs []int) any { slices.Sort(xs); return xs })
		for cname, c := range comparators {
			check("SortFunc/"+cname, func(xs []int) any { call("SlicesSortFunc", ws, we, xs, c); return xs }, func(xs []int) any { slices.SortFunc(xs, c); return xs })
			check("SortStableFunc/"+cname, func(xs []int) any { call("SlicesSortStableFunc", ws, we, xs, c); return xs }, func(xs []int) any { slices.SortStableFunc(xs, c); return xs })
			check("IsSortedFunc/"+cname, func(xs []int) any { return call("SlicesIsSortedFunc", ws, we, xs, c) }, func(xs []int) any { return []any{slices.IsSortedFunc(xs, c)} })
			check("MaxFunc/"+cname, func(xs []int) any { return call("SlicesMaxFunc", ws, we, xs, c) }, func(xs []int) any { return []any{slices.MaxFunc(xs, c)} })
			check("MinFunc/"+cname, func(xs []int) any { return call("SlicesMinFunc", ws, we, xs, c) }, func(xs []int) any { return []any{slices.MinFunc(xs, c)} })
		}
		target := ii - 8
		check("BinarySearch", func(xs []int) any { slices.Sort(xs); return call("SlicesBinarySearch", ws, we, xs, target) }, func(xs []int) any {
			slices.Sort(xs)
			p, ok := slices.BinarySearch(xs, target)
			return []any{p, ok}
		})
		check("Index", func(xs []int) any { return call("SlicesIndex", ws, we, xs, target) }, func(xs []int) any { return []any{slices.Index(xs, target)} })
		check("Compact", func(xs []int) any { return call("SlicesCompact", ws, we, xs) }, func(xs []int) any { return []any{slices.Compact(xs)} })
		check("CompactFunc", func(xs []int) any {
			return call("SlicesCompactFunc", ws, we, xs, func(a, b int) bool { return a*a == b*b })
		}, func(xs []int) any { return []any{slices.CompactFunc(xs, func(a, b int) bool { return a*a == b*b })} })
		check("Insert", func(xs []int) any { return call("SlicesInsert", ws, we, xs, ii, v) }, func(xs []int) any { return []any{slices.Insert(xs, ii, v...)} })
		check("InsertSelf", func(xs []int) any {
			if len(xs) < 2 {
				return nil
			}
			return call("SlicesInsert", ws, we, xs, ii, xs[1:])
		}, func(xs []int) any {
			if len(xs) < 2 {
				return nil
			}
			return []any{slices.Insert(xs, ii, xs[1:]...)}
		})
		check("Delete", func(xs []int) any { return call("SlicesDelete", ws, we, xs, ii, jj) }, func(xs []int) any { return []any{slices.Delete(xs, ii, jj)} })
		check("DeleteFunc", func(xs []int) any {
			return call("SlicesDeleteFunc", ws, we, xs, func(x int) bool { return x < target })
		}, func(xs []int) any { return []any{slices.DeleteFunc(xs, func(x int) bool { return x < target })} })
		check("Replace", func(xs []int) any { return call("SlicesReplace", ws, we, xs, ii, jj, v) }, func(xs []int) any { return []any{slices.Replace(xs, ii, jj, v...)} })
		check("Reverse", func(xs []int) any { call("SlicesReverse", ws, we, xs); return xs }, func(xs []int) any { slices.Reverse(xs); return xs })
		check("Grow", func(xs []int) any {
			g := call("SlicesGrow", ws, we, xs, jj)[0].([]int)
			return []any{g, cap(g)}
		}, func(xs []int) any { g := slices.Grow(xs, jj); return []any{g, cap(g)} })
		check("Clone", func(xs []int) any {
			c := call("SlicesClone", ws, we, xs)[0].([]int)
			return []any{c, cap(c)}
		}, func(xs []int) any { c := slices.Clone(xs); return []any{c, cap(c)} })
		check("Repeat", func(xs []int) any { return call("SlicesRepeat", ws, we, xs, int(spare%4)) }, func(xs []int) any { return []any{slices.Repeat(xs, int(spare%4))} })
	}
}
