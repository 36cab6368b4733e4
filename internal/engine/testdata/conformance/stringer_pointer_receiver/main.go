package main

import "fmt"

type Box struct{ v int }

func (b *Box) String() string { return fmt.Sprintf("Box(%d)", b.v) }

func main() {
	b := Box{3}
	fmt.Println(&b)
	fmt.Printf("%v %s\n", &b, &b)
}
