package main

import (
	"fmt"
	"strings"
)

type Shape interface {
	Area() float64
	Name() string
}

type base struct{ name string }

func (b base) Name() string { return b.name }

type Rect struct {
	base
	W, H float64
}

func (r Rect) Area() float64 { return r.W * r.H }

type Circle struct {
	base
	R float64
}

func (c Circle) Area() float64 { return 3.14 * c.R * c.R }

type Stack []int

func (s *Stack) Push(v int) { *s = append(*s, v) }
func (s *Stack) Pop() int {
	old := *s
	v := old[len(old)-1]
	*s = old[:len(old)-1]
	return v
}
func (s Stack) Peek() int { return s[len(s)-1] }

type Money int64

func (m Money) String() string { return fmt.Sprintf("$%d.%02d", m/100, m%100) }

type Ledger map[string]Money

func (l Ledger) Total() (t Money) {
	for _, v := range l {
		t += v
	}
	return
}

func main() {
	shapes := []Shape{Rect{base{"rect"}, 2, 3}, Circle{base{"circle"}, 1}}
	for _, s := range shapes {
		fmt.Printf("%s %.2f\n", s.Name(), s.Area())
	}
	var st Stack
	st.Push(1)
	st.Push(2)
	fmt.Println(st.Peek(), st.Pop(), len(st), st)
	l := Ledger{"a": 150, "b": 275}
	fmt.Println(l.Total(), Money(5), []Money{1, 100})
	fmt.Printf("%v %s %d\n", l.Total(), Money(99), Money(99))
	var sh Shape = Rect{base{"r2"}, 1, 1}
	switch v := sh.(type) {
	case Circle:
		fmt.Println("circle", v.R)
	case Rect:
		fmt.Println("rect", v.W, v.name)
	}
	if r, ok := sh.(Rect); ok {
		fmt.Println(r.base.name, r.Name())
	}
	fmt.Println(strings.EqualFold("Go", "GO"), strings.Fields(" a  b "), strings.TrimLeft("xxhix", "x"))
}
