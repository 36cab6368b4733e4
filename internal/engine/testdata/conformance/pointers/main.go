package main

import "fmt"

func inc(p *int) { *p++ }

func newInt(v int) *int { return &v }

func main() {
	x := 1
	inc(&x)
	fmt.Println(x)
	p := newInt(5)
	q := p
	*q = 6
	fmt.Println(*p, p == q)
	var np *int
	fmt.Println(np == nil)
	pp := &p
	**pp = 7
	fmt.Println(*p)
}
