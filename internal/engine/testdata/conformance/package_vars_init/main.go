package main

import "fmt"

var (
	total    = compute()
	base     = 10
	greeting string
)

func compute() int { return base * 2 }

func init() {
	greeting = "hello from init"
}

func main() {
	fmt.Println(total, base, greeting)
}
