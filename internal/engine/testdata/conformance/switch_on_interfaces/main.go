package main

import "fmt"

// Switching on values held in interfaces: event codes, parsed cells, and
// a small state type with methods.

type State int

func (s State) String() string { return [...]string{"idle", "busy", "done"}[s] }

type Token struct {
	Kind string
	Text string
}

func (t Token) Len() int { return len(t.Text) }

func classify(v any) string {
	switch v {
	case 0:
		return "zero"
	case "":
		return "empty string"
	case State(2):
		return "done state"
	case Token{"op", "+"}:
		return "plus"
	case nil:
		return "nil"
	}
	return fmt.Sprint("other ", v)
}

func main() {
	for _, v := range []any{0, "", State(2), State(1), 2, Token{"op", "+"}, Token{"op", "-"}, nil, 0.0} {
		fmt.Println(classify(v))
	}
	code := 404
	var expected any = 404
	switch code {
	case expected:
		fmt.Println("expected code")
	default:
		fmt.Println("unexpected code")
	}
	var s fmt.Stringer = State(1)
	switch s {
	case State(0):
		fmt.Println("idle")
	case State(1):
		fmt.Println("busy")
	}
	var st any = State(1)
	_, isInt := st.(int)
	n, isState := st.(State)
	fmt.Println(isInt, n, isState, st == State(1), st == any(1))
	seen := map[string]int{}
	for _, k := range []any{1, "1", 1, State(1)} {
		seen[fmt.Sprintf("%T %v", k, k)]++
	}
	fmt.Println(len(seen), seen["int 1"], seen["string 1"], seen["main.State busy"])
}
