package main

import "fmt"

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

var memo = map[int]int{}

func fibm(n int) int {
	if n < 2 {
		return n
	}
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = fibm(n-1) + fibm(n-2)
	return memo[n]
}

func main() {
	fmt.Println(fib(20), fibm(80))
}
