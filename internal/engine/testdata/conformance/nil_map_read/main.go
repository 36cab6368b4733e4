package main

import "fmt"

func main() {
	var m map[string][]int
	fmt.Println(m["x"], len(m), m == nil)
	for k := range m {
		fmt.Println(k)
	}
	m = map[string][]int{}
	m["a"] = append(m["a"], 1, 2)
	fmt.Println(m)
}
