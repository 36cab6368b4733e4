package main

import (
	"fmt"
	"strings"
)

func main() {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		b.WriteString("x")
	}
	fmt.Println(b.Len())
	s := strings.Repeat("ab", 5)
	fmt.Println(s[2:6], s[len(s)-1:], strings.ToUpper(s[:2]))
}
