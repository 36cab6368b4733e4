package main

import (
	"fmt"
	"maps"
	"slices"
)

func main() {
	a := map[string]int{"x": 1, "y": 2}
	b := maps.Clone(a)
	b["z"] = 3
	fmt.Println(len(a), len(b), maps.Equal(a, b))
	maps.DeleteFunc(b, func(k string, v int) bool { return v%2 == 1 })
	fmt.Println(b)
	c := map[string]int{}
	maps.Copy(c, a)
	fmt.Println(c)
	for _, k := range slices.Sorted(maps.Keys(c)) {
		fmt.Println(k, c[k])
	}
}
