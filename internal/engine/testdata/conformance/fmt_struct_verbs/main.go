package main

import (
	"errors"
	"fmt"
	"time"
)

// A data scientist's records, printed with %+v and %#v while debugging.

type Level uint8

type point struct {
	x, y float64
}

type rating struct {
	user  string
	film  int
	score float32
	when  time.Duration
	level Level
}

type Segment struct {
	Name    string
	Members []string
	centre  point
	weights map[string]float64
	byFilm  map[int]rating
	flags   [3]bool
	parent  *Segment
	Err     error
	Took    time.Duration
	empty   struct{}
}

type pair[K comparable, V any] struct {
	key K
	val V
}

func main() {
	r := rating{"ann", 7, 4.5, 90 * time.Second, 3}
	fmt.Printf("%+v\n", r)
	fmt.Printf("%#v\n", r)
	s := Segment{
		Name:    "loyal",
		Members: []string{"ann", "bob"},
		centre:  point{0.25, -1},
		weights: map[string]float64{"milk": 0.5, "bread": 1.25, "eggs": 0},
		byFilm:  map[int]rating{3: r, 1: {user: "bob"}},
		flags:   [3]bool{true, false, true},
		Took:    1500 * time.Millisecond,
	}
	fmt.Printf("%+v\n", s)
	fmt.Printf("%#v\n", s)
	s.Err = errors.New("no data")
	fmt.Printf("%+v\n", s)
	fmt.Printf("%+v\n", []point{{1, 2}, {3, 4}})
	fmt.Printf("%#v\n", []point{{1, 2}})
	fmt.Printf("%#v\n", []point(nil))
	fmt.Printf("%+v\n", map[string]point{"b": {2, 2}, "a": {1, 1}})
	fmt.Printf("%#v\n", map[bool]point{true: {1, 0}, false: {0, 1}})
	fmt.Printf("%+v %#v\n", &point{5, 6}, &point{5, 6})
	var none *point
	fmt.Printf("%+v %#v\n", none, none)
	fmt.Printf("%+v\n", [2]rating{})
	fmt.Printf("%#v\n", pair[string, []int]{"k", []int{1}})
	fmt.Printf("%+v\n", pair[int, point]{1, point{2, 3}})
	line := fmt.Sprintf("segment %+v has %d members", s.centre, len(s.Members))
	fmt.Println(line)
	type local struct {
		a int
		b string
	}
	fmt.Printf("%+v|%#v\n", local{1, "x"}, local{2, "y"})
}
