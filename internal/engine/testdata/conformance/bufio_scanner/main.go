package main

import (
	"bufio"
	"fmt"
	"strings"
)

func main() {
	sc := bufio.NewScanner(strings.NewReader("one two\nthree\n\nfour"))
	n := 0
	for sc.Scan() {
		n++
		fmt.Printf("%d: %q\n", n, sc.Text())
	}
	words := bufio.NewScanner(strings.NewReader("a bb  ccc"))
	words.Split(bufio.ScanWords)
	for words.Scan() {
		fmt.Print(len(words.Text()))
	}
	fmt.Println()
}
