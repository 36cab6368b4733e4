package main

import "fmt"

type S struct {
	arr [2]int
	sl  []int
	m   map[string]int
}

func main() {
	a := S{[2]int{1, 2}, []int{1, 2}, map[string]int{"k": 1}}
	b := a
	b.arr[0] = 9
	b.sl[0] = 9
	b.m["k"] = 9
	fmt.Println(a.arr, a.sl, a.m)
}
