package main

import (
	"fmt"
	"math"
)

type Meters float64
type Feet float64

func toFeet(m Meters) Feet { return Feet(m * 3.28084) }

func main() {
	fmt.Printf("%.2f\n", toFeet(10))
	i := 300
	b := byte(i)
	fmt.Println(b, int8(-129+256), uint32(1<<32-1))
	f := 3.99
	fmt.Println(int(f), int(-f), math.Round(f))
	s := string(rune(65))
	fmt.Println(s, []byte("hi"), []rune("héllo")[1], string([]byte{72, 105}))
}
