package main

import "fmt"

func Nums(yield func(int) bool) {
	for i := 1; i <= 3; i++ {
		if !yield(i) {
			return
		}
	}
}

func main() {
outer:
	for i := 0; i < 3; i++ {
		for v := range Nums {
			if v == 2 {
				continue outer
			}
			if i == 2 {
				break outer
			}
			fmt.Println(i, v)
		}
	}
	fmt.Println("done")
}
