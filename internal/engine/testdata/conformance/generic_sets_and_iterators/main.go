package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

type Set[T comparable] map[T]struct{}

func NewSet[T comparable](xs ...T) Set[T] {
	s := Set[T]{}
	for _, x := range xs {
		s[x] = struct{}{}
	}
	return s
}

func (s Set[T]) Has(x T) bool { _, ok := s[x]; return ok }

func (s Set[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		for k := range s {
			if !yield(k) {
				return
			}
		}
	}
}

func Filter[T any](seq iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range seq {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

func Enumerate[T any](xs []T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, x := range xs {
			if !yield(i, x) {
				return
			}
		}
	}
}

func main() {
	s := NewSet("go", "rust", "zig")
	fmt.Println(s.Has("go"), s.Has("c"), len(s))
	long := slices.Sorted(Filter(s.All(), func(w string) bool { return len(w) > 2 }))
	fmt.Println(long)
	for i, w := range Enumerate([]string{"a", "b", "c"}) {
		if i == 2 {
			break
		}
		fmt.Print(i, w, " ")
	}
	fmt.Println()
	keys := slices.Collect(maps.Keys(map[int]bool{3: true, 1: true}))
	slices.Sort(keys)
	fmt.Println(keys)
	for line := range strings.Lines("x\ny\n") {
		fmt.Printf("%q ", line)
	}
	fmt.Println()
	next, stop := iter.Pull(s.All())
	defer stop()
	n := 0
	for {
		_, ok := next()
		if !ok {
			break
		}
		n++
	}
	fmt.Println("pulled", n)
}
