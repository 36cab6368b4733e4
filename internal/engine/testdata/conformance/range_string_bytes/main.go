package main

import "fmt"

func main() {
	s := "go!"
	for i := 0; i < len(s); i++ {
		fmt.Print(s[i], " ")
	}
	fmt.Println()
	b := []byte(s)
	b[0] = 'G'
	fmt.Println(string(b), s)
}
