package main

import "fmt"

func Evens(yield func(int) bool) {
	for i := 0; ; i += 2 {
		if !yield(i) {
			return
		}
	}
}

func firstOver(n int) int {
	for v := range Evens {
		if v > n {
			return v
		}
	}
	return -1
}

func main() {
	fmt.Println(firstOver(7))
	fmt.Println(firstOver(20))
}
