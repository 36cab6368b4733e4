package main

import (
	"fmt"
	"math/bits"
)

func main() {
	x := uint8(0b1011_0010)
	fmt.Printf("%08b %08b %08b\n", x&0x0F, x|0x01, x^0xFF)
	fmt.Println(x>>2, x<<1, x&^0x30)
	fmt.Println(bits.OnesCount8(x), bits.LeadingZeros32(1), bits.Len(255))
	fmt.Println(1_000_000, 0x1p4, 0o17)
}
