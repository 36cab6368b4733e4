package main

import (
	"fmt"
	"strconv"
)

func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func Filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func main() {
	xs := []int{1, 2, 3, 4, 5}
	fmt.Println(Map(xs, strconv.Itoa))
	fmt.Println(Map(xs, func(i int) string { return fmt.Sprint(i * 2) }))
	fmt.Println(Filter(xs, func(i int) bool { return i%2 == 1 }))
}
