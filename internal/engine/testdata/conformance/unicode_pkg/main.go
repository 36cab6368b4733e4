package main

import (
	"fmt"
	"strings"
	"unicode"
)

func main() {
	s := "Hello World 123"
	var letters, digits, spaces int
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		case unicode.IsSpace(r):
			spaces++
		}
	}
	fmt.Println(letters, digits, spaces)
	fmt.Println(strings.ToTitle("go"), unicode.IsUpper('G'))
}
