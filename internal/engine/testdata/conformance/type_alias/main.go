package main

import "fmt"

type Celsius = float64
type IntList = []int

func main() {
	var c Celsius = 21.5
	var f float64 = c
	l := IntList{1, 2}
	fmt.Println(f, l, len(l))
	fmt.Printf("%T\n", c)
}
