package main

import "fmt"

func main() {
	fmt.Println(0.1+0.2, 1e21, 1e20, 100.0, 1.0/3.0)
	fmt.Println(float32(0.1), 3.0, -0.0, 2.5e-7)
	var f float64 = 7
	fmt.Println(f/2, f)
	fmt.Println(complex(1, 2), real(complex(3, 4)))
}
