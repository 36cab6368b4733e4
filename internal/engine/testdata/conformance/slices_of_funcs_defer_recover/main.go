package main

import "fmt"

func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println(name, "panicked:", r)
		}
	}()
	f()
	fmt.Println(name, "ok")
}

func main() {
	try("good", func() {})
	try("bad", func() { panic("oops") })
	try("nil map", func() {
		var m map[string]int
		m["x"] = 1
	})
}
