package main

import "fmt"

type stateFn func(*machine) stateFn

type machine struct {
	input []string
	pos   int
	out   []string
}

func start(m *machine) stateFn {
	if m.pos >= len(m.input) {
		return nil
	}
	m.out = append(m.out, "start:"+m.input[m.pos])
	m.pos++
	return middle
}

func middle(m *machine) stateFn {
	if m.pos >= len(m.input) {
		return nil
	}
	m.out = append(m.out, "middle:"+m.input[m.pos])
	m.pos++
	return start
}

func main() {
	m := &machine{input: []string{"a", "b", "c"}}
	for state := stateFn(start); state != nil; {
		state = state(m)
	}
	fmt.Println(m.out)
}
