package main

import "fmt"

func main() {
	func() {
		for i := range 3 {
			defer func() { fmt.Print(i, " ") }()
		}
	}()
	fmt.Println()
}
