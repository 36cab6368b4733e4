package main

import (
	"fmt"
	"strings"
)

type Shower interface{ Show() string }

type A struct{ n int }

func (a A) Show() string { return fmt.Sprintf("A%d", a.n) }

func ShowAll[T Shower](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.Show()
	}
	return strings.Join(parts, ",")
}

func main() {
	fmt.Println(ShowAll([]A{{1}, {2}}))
}
