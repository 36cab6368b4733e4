package main

import "fmt"

type Greeter struct{ name string }

func (g Greeter) Greet(greeting string) string { return greeting + ", " + g.name }

func main() {
	g := Greeter{"Ann"}
	hello := g.Greet
	g.name = "Bob"
	fmt.Println(hello("hi"), g.Greet("hey"))
	fs := []func(string) string{Greeter{"X"}.Greet, Greeter{"Y"}.Greet}
	for _, f := range fs {
		fmt.Println(f("yo"))
	}
}
