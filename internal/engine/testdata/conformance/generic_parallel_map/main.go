package main

import (
	"fmt"
	"sort"
	"sync"
)

func ParallelMap[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	var wg sync.WaitGroup
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f(x)
		}()
	}
	wg.Wait()
	return out
}

type Result[T any] struct {
	Val T
	Err error
}

func Try[T any](f func() (T, error)) (r Result[T]) {
	defer func() {
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("panic: %v", p)
		}
	}()
	v, err := f()
	return Result[T]{v, err}
}

type Number interface{ ~int | ~float64 }

func SumBy[K comparable, V Number](m map[K]V) V {
	var s V
	for _, v := range m {
		s += v
	}
	return s
}

func main() {
	sq := ParallelMap([]int{1, 2, 3, 4}, func(x int) int { return x * x })
	fmt.Println(sq)
	strs := ParallelMap(sq, func(x int) string { return fmt.Sprint("#", x) })
	fmt.Println(strs)
	r1 := Try(func() (int, error) { return 42, nil })
	r2 := Try(func() (string, error) { var m map[string]int; m["x"] = 1; return "no", nil })
	fmt.Println(r1, r2.Val == "", r2.Err)
	fmt.Println(SumBy(map[string]int{"a": 1, "b": 2}), SumBy(map[int]float64{1: 0.5, 2: 0.25}))
	type kv = Result[string]
	list := []kv{{"b", nil}, {"a", nil}}
	sort.Slice(list, func(i, j int) bool { return list[i].Val < list[j].Val })
	fmt.Println(list)
}
