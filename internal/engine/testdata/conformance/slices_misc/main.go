package main

import (
	"fmt"
	"slices"
)

func main() {
	xs := []int{1, 2, 2, 3, 3, 3}
	fmt.Println(slices.Compact(slices.Clone(xs)))
	ys := slices.Insert([]int{1, 4}, 1, 2, 3)
	fmt.Println(ys)
	fmt.Println(slices.Delete(ys, 1, 3))
	zs := []int{3, 1, 2}
	slices.Reverse(zs)
	fmt.Println(zs, slices.Max(zs), slices.Min(zs))
	fmt.Println(slices.Equal([]int{1, 2}, []int{1, 2}), slices.IndexFunc(zs, func(v int) bool { return v > 1 }))
	fmt.Println(slices.Concat([]int{1}, []int{2, 3}), slices.Repeat([]string{"ab"}, 3))
}
