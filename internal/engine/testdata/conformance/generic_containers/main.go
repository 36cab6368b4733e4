package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

type Number interface {
	~int | ~int64 | ~float64
}

type Vector[T Number] []T

func (v Vector[T]) Dot(w Vector[T]) T {
	var s T
	for i := range v {
		s += v[i] * w[i]
	}
	return s
}

func (v Vector[T]) Scale(k T) Vector[T] {
	out := make(Vector[T], len(v))
	for i, x := range v {
		out[i] = x * k
	}
	return out
}

type Queue[T any] struct {
	items []T
}

func (q *Queue[T]) Push(v T) { q.items = append(q.items, v) }
func (q *Queue[T]) Pop() (T, error) {
	var zero T
	if len(q.items) == 0 {
		return zero, errors.New("empty queue")
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v, nil
}
func (q Queue[T]) Len() int { return len(q.items) }

type Cache[K comparable, V any] struct {
	data  map[K]V
	order []K
	cap   int
}

func NewCache[K comparable, V any](n int) *Cache[K, V] {
	return &Cache[K, V]{data: map[K]V{}, cap: n}
}

func (c *Cache[K, V]) Put(k K, v V) {
	if _, ok := c.data[k]; !ok {
		c.order = append(c.order, k)
		if len(c.order) > c.cap {
			old := c.order[0]
			c.order = c.order[1:]
			delete(c.data, old)
		}
	}
	c.data[k] = v
}

func (c *Cache[K, V]) Get(k K) (V, bool) {
	v, ok := c.data[k]
	return v, ok
}

func TopN[T any, K cmp.Ordered](xs []T, key func(T) K, n int) []T {
	out := slices.Clone(xs)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(key(b), key(a)) })
	return out[:min(n, len(out))]
}

type Stringish interface {
	~string
	Len() int
}

type Word string

func (w Word) Len() int { return len(w) }

func Longest[S Stringish](xs []S) S {
	var best S
	for _, x := range xs {
		if x.Len() > best.Len() {
			best = x
		}
	}
	return best
}

type Tree[T cmp.Ordered] struct {
	Left, Right *Tree[T]
	Val         T
}

func (t *Tree[T]) Insert(v T) *Tree[T] {
	if t == nil {
		return &Tree[T]{Val: v}
	}
	if v < t.Val {
		t.Left = t.Left.Insert(v)
	} else {
		t.Right = t.Right.Insert(v)
	}
	return t
}

func (t *Tree[T]) InOrder(visit func(T)) {
	if t == nil {
		return
	}
	t.Left.InOrder(visit)
	visit(t.Val)
	t.Right.InOrder(visit)
}

func main() {
	v := Vector[float64]{1, 2, 3}
	fmt.Println(v.Dot(v), v.Scale(2), Vector[int]{1, 2}.Dot(Vector[int]{3, 4}))
	var q Queue[string]
	q.Push("a")
	q.Push("b")
	x, err := q.Pop()
	fmt.Println(x, err, q.Len())
	q.Pop()
	_, err = q.Pop()
	fmt.Println(err)
	c := NewCache[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3)
	_, okA := c.Get("a")
	vc, okC := c.Get("c")
	fmt.Println(okA, vc, okC, c.order)
	people := []struct {
		Name string
		Age  int
	}{{"x", 30}, {"y", 25}, {"z", 40}}
	top := TopN(people, func(p struct {
		Name string
		Age  int
	}) int {
		return p.Age
	}, 2)
	fmt.Println(top)
	fmt.Println(Longest([]Word{"go", "gopher", "gap"}))
	var t *Tree[string]
	for _, w := range strings.Fields("m c x a d") {
		t = t.Insert(w)
	}
	var out []string
	t.InOrder(func(s string) { out = append(out, s) })
	fmt.Println(out, sort.StringsAreSorted(out))
	fmt.Printf("%T %T %T\n", v, q, c)
}
