package main

import (
	"errors"
	"fmt"
)

type ValidationError struct {
	Field string
}

func (e *ValidationError) Error() string { return "invalid " + e.Field }

func check(name string) error {
	if name == "" {
		return fmt.Errorf("check: %w", &ValidationError{"name"})
	}
	return nil
}

func main() {
	err := check("")
	var ve *ValidationError
	if errors.As(err, &ve) {
		fmt.Println("field:", ve.Field)
	}
	fmt.Println(err)
}
