package main

import (
	"fmt"
	"math"
)

func main() {
	fmt.Println(math.Sqrt(2), math.Pow(2, 10), math.Abs(-3.5))
	fmt.Println(math.Floor(-1.5), math.Ceil(1.2), math.Trunc(-2.7))
	fmt.Println(math.MaxInt64, math.Inf(1), -math.Inf(1), math.NaN() == math.NaN())
	fmt.Printf("%.4f %.4f\n", math.Log(math.E), math.Sin(math.Pi/2))
	fmt.Println(math.Max(3, 7), math.Min(3, 7), math.Mod(7, 3), math.Hypot(3, 4))
}
