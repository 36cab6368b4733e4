package main

import (
	"errors"
	"fmt"
)

var errStop = errors.New("stop")

func run() (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errStop) {
				err = e
				return
			}
			panic(r)
		}
	}()
	panic(fmt.Errorf("wrapped: %w", errStop))
}

func main() {
	fmt.Println(run())
}
