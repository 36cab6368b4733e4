package main

import (
	"fmt"
	"maps"
	"slices"
)

func main() {
	m := map[int]string{1: "one", 2: "two"}
	inverse := map[string]int{}
	for k, v := range maps.All(m) {
		inverse[v] = k
	}
	fmt.Println(inverse)
	copyM := maps.Collect(maps.All(m))
	fmt.Println(len(copyM), slices.Sorted(maps.Keys(copyM)))
	chunks := slices.Collect(slices.Chunk([]int{1, 2, 3, 4, 5}, 2))
	fmt.Println(chunks)
}
