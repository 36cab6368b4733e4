package main

import "fmt"

type E struct{}

func (*E) Error() string { return "E" }

func get(fail bool) error {
	if fail {
		return &E{}
	}
	return nil
}

func main() {
	fmt.Println(get(false) == nil, get(true) == nil)
	var p *E
	var err error = p
	fmt.Println(p == nil, err == nil)
}
