package main

import (
	"fmt"
	"io"
	"strings"
)

func main() {
	var r io.Reader = strings.NewReader("hello")
	if s, ok := r.(io.Seeker); ok {
		fmt.Println("is a seeker", s != nil)
	}
	_, ok := r.(io.Writer)
	fmt.Println("is a writer:", ok)
	var x any = 42
	n, ok := x.(int)
	fmt.Println(n, ok)
	str, ok := x.(string)
	fmt.Printf("%q %v\n", str, ok)
}
