// Command differential calls every function of the generic standard
// library the kernel implements by hand (slices, maps, cmp) on
// pseudo-random inputs — ints, strings, floats with NaN and −0, a named
// type, structs, pointers; nil and empty slices; duplicates; comparators
// that are not the natural order — and prints the results, any panic, and
// what happened to the arguments. TestDifferential runs it compiled and as
// a cell: the two outputs must be the same bytes.
package main

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

type celsius float64

type rec struct {
	Name string
	N    int
}

// rng is a small deterministic generator (xorshift), the same compiled
// and interpreted.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s ^= r.s << 13
	r.s ^= r.s >> 7
	r.s ^= r.s << 17
	return r.s
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func ints(r *rng) []int {
	switch r.intn(8) {
	case 0:
		return nil
	case 1:
		return []int{}
	}
	n := r.intn(12)
	xs := make([]int, n, n+r.intn(4))
	for i := range xs {
		xs[i] = r.intn(9) - 4
	}
	return xs
}

func strs(r *rng) []string {
	if r.intn(8) == 0 {
		return nil
	}
	words := []string{"a", "bb", "b", "ccc", "", "ab", "B", "a"}
	xs := make([]string, r.intn(10))
	for i := range xs {
		xs[i] = words[r.intn(len(words))]
	}
	return xs
}

func floats(r *rng) []float64 {
	vals := []float64{0, math.Copysign(0, -1), 1.5, -2, math.NaN(), math.Inf(1), math.Inf(-1), 1.5}
	xs := make([]float64, r.intn(10))
	for i := range xs {
		xs[i] = vals[r.intn(len(vals))]
	}
	return xs
}

func temps(r *rng) []celsius {
	xs := make([]celsius, r.intn(8))
	for i := range xs {
		xs[i] = celsius(r.intn(5)) / 2
	}
	return xs
}

func recs(r *rng) []rec {
	xs := make([]rec, r.intn(8))
	for i := range xs {
		xs[i] = rec{string(rune('a' + r.intn(3))), r.intn(4)}
	}
	return xs
}

// fs prints floats so that −0 and NaN show.
func fs(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%v", x)
		if x == 0 && math.Signbit(x) {
			parts[i] = "-0"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func try(name string, f func() string) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Printf("%s: panic: %v\n", name, p)
		}
	}()
	fmt.Printf("%s: %s\n", name, f())
}

func byLen(a, b string) int     { return cmp.Compare(len(a), len(b)) }
func byAbs(a, b int) int        { return cmp.Compare(a*a, b*b) }
func reversed(a, b int) int     { return b - a }
func byN(a, b rec) int          { return a.N - b.N }
func inconsistent(a, b int) int { return (a ^ b) & 1 }

func main() {
	r := &rng{s: 0x9e3779b97f4a7c15}
	for round := range 150 {
		fmt.Println("round", round)
		xs, ys, ss, fl, ts, rs := ints(r), ints(r), strs(r), floats(r), temps(r), recs(r)
		k := r.intn(9) - 4
		i, j := r.intn(len(xs)+2), r.intn(len(xs)+2)

		try("Sort", func() string { c := slices.Clone(xs); slices.Sort(c); return fmt.Sprint(c) })
		try("SortStrings", func() string { c := slices.Clone(ss); slices.Sort(c); return fmt.Sprint(c) })
		try("SortFloats", func() string { c := slices.Clone(fl); slices.Sort(c); return fs(c) })
		try("SortNamed", func() string { c := slices.Clone(ts); slices.Sort(c); return fmt.Sprint(c) })
		try("SortFuncAbs", func() string { c := slices.Clone(xs); slices.SortFunc(c, byAbs); return fmt.Sprint(c) })
		try("SortFuncReversed", func() string { c := slices.Clone(xs); slices.SortFunc(c, reversed); return fmt.Sprint(c) })
		try("SortFuncInconsistent", func() string { c := slices.Clone(xs); slices.SortFunc(c, inconsistent); return fmt.Sprint(c) })
		try("SortFuncLen", func() string { c := slices.Clone(ss); slices.SortFunc(c, byLen); return fmt.Sprint(c) })
		try("SortStableFuncLen", func() string { c := slices.Clone(ss); slices.SortStableFunc(c, byLen); return fmt.Sprint(c) })
		try("SortStableFuncRecs", func() string { c := slices.Clone(rs); slices.SortStableFunc(c, byN); return fmt.Sprint(c) })
		try("SortFuncRecs", func() string { c := slices.Clone(rs); slices.SortFunc(c, byN); return fmt.Sprint(c) })
		try("IsSorted", func() string {
			return fmt.Sprint(slices.IsSorted(xs), slices.IsSorted(fl), slices.IsSortedFunc(ss, byLen))
		})
		try("BinarySearch", func() string {
			c := slices.Clone(xs)
			slices.Sort(c)
			p, ok := slices.BinarySearch(c, k)
			q, ok2 := slices.BinarySearchFunc(c, k, func(e, t int) int { return cmp.Compare(e, t) })
			return fmt.Sprint(p, ok, q, ok2)
		})
		try("Contains", func() string {
			return fmt.Sprint(slices.Contains(xs, k), slices.Index(xs, k), slices.IndexFunc(xs, func(v int) bool { return v > k }), slices.ContainsFunc(ss, func(s string) bool { return len(s) > 2 }), slices.Index(fl, math.NaN()))
		})
		try("Equal", func() string {
			return fmt.Sprint(slices.Equal(xs, ys), slices.Equal(xs, slices.Clone(xs)), slices.Equal(fl, fl), slices.EqualFunc(xs, ys, func(a, b int) bool { return a*a == b*b }), slices.Compare(xs, ys), slices.CompareFunc(ss, ss, byLen))
		})
		try("Compact", func() string {
			c := slices.Clone(xs)
			full := c[:len(c):len(c)]
			out := slices.Compact(c)
			return fmt.Sprint(out, full)
		})
		try("CompactFunc", func() string {
			c := slices.Clone(ss)
			return fmt.Sprint(slices.CompactFunc(c, func(a, b string) bool { return len(a) == len(b) }), c)
		})
		try("CompactFloats", func() string { return fs(slices.Compact(slices.Clone(fl))) })
		try("Insert", func() string { c := slices.Clone(xs); return fmt.Sprint(slices.Insert(c, i, k, k+1), c) })
		try("Delete", func() string {
			c := slices.Clone(xs)
			full := c[:len(c)]
			out := slices.Delete(c, min(i, j), max(i, j))
			return fmt.Sprint(out, full)
		})
		try("DeleteFunc", func() string {
			c := slices.Clone(xs)
			full := c[:len(c)]
			return fmt.Sprint(slices.DeleteFunc(c, func(v int) bool { return v < k }), full)
		})
		try("Replace", func() string {
			c := slices.Clone(xs)
			return fmt.Sprint(slices.Replace(c, min(i, j), max(i, j), 7, 8, 9), c)
		})
		try("Reverse", func() string { c := slices.Clone(ss); slices.Reverse(c); return fmt.Sprint(c) })
		try("Max", func() string { return fmt.Sprint(slices.Max(xs)) })
		try("Min", func() string { return fmt.Sprint(slices.Min(xs)) })
		try("MaxFloats", func() string { return fs([]float64{slices.Max(fl), slices.Min(fl)}) })
		try("MaxFunc", func() string { return fmt.Sprint(slices.MaxFunc(rs, byN), slices.MinFunc(rs, byN)) })
		try("MaxFuncLen", func() string { return fmt.Sprint(slices.MaxFunc(ss, byLen), slices.MinFunc(ss, byLen)) })
		try("Clone", func() string { c := slices.Clone(xs); return fmt.Sprint(c, c == nil, len(c)) })
		try("Grow", func() string {
			c := slices.Grow(slices.Clone(xs), 5)
			return fmt.Sprint(c, len(c), cap(c) >= len(xs)+5)
		})
		try("Clip", func() string { c := slices.Clip(xs); return fmt.Sprint(c, len(c) == cap(c)) })
		try("Concat", func() string { c := slices.Concat(xs, ys, nil); return fmt.Sprint(c, c == nil) })
		try("Repeat", func() string { return fmt.Sprint(slices.Repeat(ss, r.intn(3))) })
		try("Chunk", func() string {
			var out [][]int
			for c := range slices.Chunk(xs, 1+r.intn(3)) {
				out = append(out, c)
			}
			return fmt.Sprint(out)
		})
		try("ChunkZero", func() string {
			for range slices.Chunk(xs, 0) {
			}
			return "no panic"
		})
		try("Iterators", func() string {
			var b strings.Builder
			for i, v := range slices.All(ss) {
				fmt.Fprint(&b, i, v, ";")
			}
			for i, v := range slices.Backward(xs) {
				fmt.Fprint(&b, i, v, ";")
			}
			for v := range slices.Values(ts) {
				fmt.Fprint(&b, v, ";")
			}
			return b.String()
		})
		try("Collect", func() string {
			c := slices.Collect(slices.Values(xs))
			return fmt.Sprint(c, c == nil, slices.Sorted(slices.Values(xs)), slices.SortedFunc(slices.Values(ss), byLen), slices.SortedStableFunc(slices.Values(rs), byN), slices.AppendSeq([]int{100}, slices.Values(ys)))
		})
		try("Pointers", func() string {
			ps := make([]*rec, len(rs))
			for i := range rs {
				ps[i] = &rs[i]
			}
			slices.SortStableFunc(ps, func(a, b *rec) int { return cmp.Compare(a.Name, b.Name) })
			var b strings.Builder
			for _, p := range ps {
				fmt.Fprint(&b, *p, ";")
			}
			return fmt.Sprint(b.String(), slices.Index(ps, nil), len(rs) > 0 && slices.Contains(ps, &rs[0]))
		})

		m := map[string]int{}
		for n, s := range ss {
			m[s] = n
		}
		m2 := maps.Clone(m)
		try("MapsKeys", func() string { return fmt.Sprint(slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Values(m))) })
		try("MapsAll", func() string {
			keys := []string{}
			for k, v := range maps.All(m) {
				keys = append(keys, fmt.Sprint(k, "=", v))
			}
			slices.Sort(keys)
			return fmt.Sprint(keys)
		})
		try("MapsEqual", func() string {
			return fmt.Sprint(maps.Equal(m, m2), maps.EqualFunc(m, m2, func(a, b int) bool { return a == b }))
		})
		try("MapsDeleteFunc", func() string {
			maps.DeleteFunc(m2, func(k string, v int) bool { return v%2 == 0 })
			return fmt.Sprint(m2, maps.Equal(m, m2))
		})
		try("MapsCopy", func() string { maps.Copy(m2, map[string]int{"z": 1, "a": 9}); return fmt.Sprint(m2) })
		try("MapsCollect", func() string {
			c := maps.Collect(maps.All(m))
			maps.Insert(c, maps.All(map[string]int{"q": 5}))
			return fmt.Sprint(c)
		})
		try("MapsCloneNil", func() string { var nm map[int]int; c := maps.Clone(nm); return fmt.Sprint(c == nil, len(c)) })

		a, b := fl[0:min(1, len(fl))], fl[min(1, len(fl)):min(2, len(fl))]
		if len(a) == 1 && len(b) == 1 {
			try("Cmp", func() string {
				return fmt.Sprint(cmp.Compare(a[0], b[0]), cmp.Less(a[0], b[0]), cmp.Or(0, k, 3), cmp.Or("", "x"))
			})
		}
	}
}
