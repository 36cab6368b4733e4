package main

import (
	"fmt"
	"math"
)

func main() {
	var i8 int8 = 127
	i8++
	fmt.Println(i8)
	var u uint = 0
	u--
	fmt.Println(u == math.MaxUint)
	x := math.MaxInt32
	y := int32(x)
	y++
	fmt.Println(y)
	fmt.Println(-7/2, -7%2, 7/-2)
}
