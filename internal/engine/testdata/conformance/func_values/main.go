package main

import (
	"fmt"
	"strings"
)

type op func(float64, float64) float64

func apply(f op, a, b float64) float64 { return f(a, b) }

func main() {
	ops := map[string]op{
		"add": func(a, b float64) float64 { return a + b },
		"mul": func(a, b float64) float64 { return a * b },
	}
	fmt.Println(apply(ops["add"], 2, 3), apply(ops["mul"], 2, 3))
	var f func(string) string = strings.ToUpper
	fmt.Println(f("abc"))
	var nilf func()
	fmt.Println(nilf == nil)
}
