package main

import "fmt"

type Point struct{ X, Y int }

func main() {
	seen := map[Point]bool{}
	for _, p := range []Point{{1, 2}, {3, 4}, {1, 2}} {
		if seen[p] {
			fmt.Println("dup", p)
		}
		seen[p] = true
	}
	fmt.Println(len(seen), Point{1, 2} == Point{1, 2})
}
