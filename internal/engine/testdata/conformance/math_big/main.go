package main

import (
	"fmt"
	"math/big"
)

func main() {
	a := big.NewInt(1)
	for i := 1; i <= 30; i++ {
		a.Mul(a, big.NewInt(int64(i)))
	}
	fmt.Println(a)
	r := new(big.Rat).SetFrac64(1, 3)
	r.Add(r, big.NewRat(1, 6))
	fmt.Println(r)
}
