package main

import "fmt"

func main() {
	s := make([]int, 3, 10)
	s = append(s, 4, 5)
	fmt.Println(s, len(s), cap(s))
	t := s[1:3]
	t[0] = 99
	fmt.Println(s)
	u := make([]int, 2)
	n := copy(u, s)
	fmt.Println(u, n)
	var nilSlice []string
	fmt.Println(nilSlice == nil, len(nilSlice))
	matrix := [][]int{{1, 2}, {3, 4}}
	fmt.Println(matrix[1][0])
	full := s[1:2:3]
	fmt.Println(len(full), cap(full))
}
