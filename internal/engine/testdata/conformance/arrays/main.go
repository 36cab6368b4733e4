package main

import "fmt"

func main() {
	var a [3]int
	b := [...]string{"x", "y"}
	a[1] = 5
	c := a
	c[0] = 9
	fmt.Println(a, c, len(b))
	grid := [2][2]bool{{true}, {false, true}}
	fmt.Println(grid)
	fmt.Println(a == [3]int{0, 5, 0})
}
