package main

import (
	"fmt"
	"slices"
)

func main() {
	xs := []int{5, 2, 8, 1}
	slices.Sort(xs)
	fmt.Println(xs)
	names := []string{"bob", "alice", "carol"}
	slices.Sort(names)
	fmt.Println(names, slices.Index(names, "bob"), slices.Contains(names, "dave"))
	i, found := slices.BinarySearch(xs, 5)
	fmt.Println(i, found)
}
