package main

import "fmt"

type I interface{ M() }
type S struct{ n int }

func (S) M() {}

type Named[T any] interface{ Get() T }

func F[A any](x I) {
	defer func() { fmt.Println("recovered:", recover()) }()
	_ = x.(A)
}

func G[A any](x I) {
	v, ok := x.(A)
	fmt.Println(v, ok)
	switch y := x.(type) {
	case A:
		fmt.Println("A", y)
	case S:
		fmt.Println("S", y)
	}
}

func H[T, U any](x Named[T]) {
	defer func() { fmt.Println("recovered:", recover()) }()
	_ = x.(U)
}

type box struct{}

func (box) Get() int { return 1 }

func main() {
	F[string](S{1})
	F[int](nil)
	G[int](S{2})
	G[float64](nil)
	H[int, string](box{})
}
