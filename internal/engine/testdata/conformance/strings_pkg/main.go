package main

import (
	"fmt"
	"strings"
)

func main() {
	s := "  Hello, Gophers!  "
	t := strings.TrimSpace(s)
	fmt.Println(t, len(t))
	fmt.Println(strings.ToUpper(t), strings.Contains(t, "Go"), strings.Index(t, "o"))
	fmt.Println(strings.Split("a,b,c", ","), strings.Join([]string{"x", "y"}, "-"))
	fmt.Println(strings.Replace("aaa", "a", "b", 2), strings.Repeat("ab", 3))
	fmt.Println(strings.Fields(" a  b c "), strings.HasPrefix(t, "Hell"), strings.TrimSuffix(t, "!"))
	var b strings.Builder
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&b, "%d;", i)
	}
	fmt.Println(b.String())
}
