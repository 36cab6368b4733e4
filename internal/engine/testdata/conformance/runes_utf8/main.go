package main

import (
	"fmt"
	"unicode/utf8"
)

func main() {
	s := "héllo, 世界"
	fmt.Println(len(s), utf8.RuneCountInString(s))
	for i, r := range "aé世" {
		fmt.Println(i, string(r), r)
	}
	fmt.Printf("%q %U %x\n", 'é', '世', "é")
	r, size := utf8.DecodeRuneInString("世界")
	fmt.Println(string(r), size)
}
