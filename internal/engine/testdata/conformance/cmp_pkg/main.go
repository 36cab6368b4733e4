package main

import (
	"cmp"
	"fmt"
)

func main() {
	fmt.Println(cmp.Compare(1, 2), cmp.Compare("b", "a"), cmp.Less(1.5, 2.5))
	fmt.Println(cmp.Or("", "default"), cmp.Or(0, 0, 7))
	fmt.Println(min(3, 1, 2), max(2.5, 1), min("b", "a"))
}
