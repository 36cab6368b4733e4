package main

import (
	"errors"
	"fmt"
)

func main() {
	a := errors.New("first")
	b := errors.New("second")
	err := errors.Join(a, b)
	fmt.Println(err)
	fmt.Println(errors.Is(err, b))
}
