package main

import (
	"fmt"
	"strings"
)

type HandlerFunc func(string) string

func (f HandlerFunc) Handle(s string) string { return f(s) }

type Handler interface{ Handle(string) string }

type Chain []Handler

func (c Chain) Handle(s string) string {
	for _, h := range c {
		s = h.Handle(s)
	}
	return s
}

type Key struct {
	A string
	B int
}

type Event struct {
	Kind string
	Data any
}

type Temp struct{ C float64 }

func (t Temp) F() float64 { return t.C*9/5 + 32 }

func apply(fs map[string]func(float64) float64, x float64) []string {
	var out []string
	for _, name := range []string{"double", "square"} {
		out = append(out, fmt.Sprintf("%s=%g", name, fs[name](x)))
	}
	return out
}

func main() {
	var h Handler = HandlerFunc(strings.ToUpper)
	fmt.Println(h.Handle("hi"))
	handle := h.Handle
	fmt.Println(handle("yo"))
	f := Temp.F
	fmt.Println(f(Temp{100}))
	g := (*Temp).F
	fmt.Println(g(&Temp{0}))
	counts := map[Key]int{}
	counts[Key{"a", 1}]++
	counts[Key{"a", 1}] += 2
	fmt.Println(counts[Key{"a", 1}], Key{"a", 1} == Key{"a", 1})
	events := []Event{{"num", 3}, {"str", "x"}, {"nil", nil}, {"temp", Temp{1}}}
	for _, e := range events {
		switch d := e.Data.(type) {
		case int:
			fmt.Print("int ", d+1, "; ")
		case string:
			fmt.Print("string ", d, "; ")
		case Temp:
			fmt.Print("temp ", d.F(), "; ")
		case nil:
			fmt.Print("nil; ")
		}
	}
	fmt.Println()
	fmt.Println(Event{"a", 1} == Event{"a", 1}, [2]Key{} == [2]Key{})
	fs := map[string]func(float64) float64{
		"double": func(x float64) float64 { return 2 * x },
		"square": func(x float64) float64 { return x * x },
	}
	fmt.Println(apply(fs, 3))
	var iface any = Key{"z", 9}
	k, ok := iface.(Key)
	fmt.Println(k.A, k.B, ok, iface == any(Key{"z", 9}))
	type local struct{ n int }
	ls := []local{{1}, {2}}
	fmt.Printf("%v %d\n", ls, len(ls))
}
