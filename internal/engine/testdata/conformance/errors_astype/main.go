package main

import (
	"errors"
	"fmt"
)

type CodeError struct{ Code int }

func (e CodeError) Error() string { return fmt.Sprintf("code %d", e.Code) }

func main() {
	err := fmt.Errorf("wrapped: %w", CodeError{404})
	if ce, ok := errors.AsType[CodeError](err); ok {
		fmt.Println("code", ce.Code)
	}
	_, ok := errors.AsType[CodeError](errors.New("plain"))
	fmt.Println(ok)
}
