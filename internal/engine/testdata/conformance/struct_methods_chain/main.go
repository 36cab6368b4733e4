package main

import "fmt"

type Builder struct{ parts []string }

func (b *Builder) Add(s string) *Builder {
	b.parts = append(b.parts, s)
	return b
}

func (b *Builder) Build() string {
	out := ""
	for _, p := range b.parts {
		out += p
	}
	return out
}

func main() {
	fmt.Println(new(Builder).Add("a").Add("b").Add("c").Build())
}
