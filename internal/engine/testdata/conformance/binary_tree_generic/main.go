package main

import (
	"cmp"
	"fmt"
)

type Tree[T cmp.Ordered] struct {
	root *node[T]
}

type node[T cmp.Ordered] struct {
	v           T
	left, right *node[T]
}

func (t *Tree[T]) Insert(v T) {
	t.root = insert(t.root, v)
}

func insert[T cmp.Ordered](n *node[T], v T) *node[T] {
	if n == nil {
		return &node[T]{v: v}
	}
	if v < n.v {
		n.left = insert(n.left, v)
	} else {
		n.right = insert(n.right, v)
	}
	return n
}

func (t *Tree[T]) Walk(f func(T)) { walk(t.root, f) }

func walk[T cmp.Ordered](n *node[T], f func(T)) {
	if n == nil {
		return
	}
	walk(n.left, f)
	f(n.v)
	walk(n.right, f)
}

func main() {
	var t Tree[int]
	for _, v := range []int{5, 3, 8, 1, 4} {
		t.Insert(v)
	}
	t.Walk(func(v int) { fmt.Print(v, " ") })
	fmt.Println()
}
