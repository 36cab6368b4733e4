package main

import (
	"fmt"
	"time"
)

const timeout = 2 * time.Second
const ratio = 1.5

func main() {
	fmt.Println(timeout, timeout.Milliseconds())
	var f32 float32 = ratio
	var i = 3 * ratio
	fmt.Println(f32, i)
	fmt.Printf("%T %T\n", ratio, timeout)
}
