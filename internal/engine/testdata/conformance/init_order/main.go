package main

import "fmt"

var a = b + 1
var b = 2

func init() { fmt.Println("init 1", a, b) }
func init() { fmt.Println("init 2") }

func main() { fmt.Println("main") }
