package main

import (
	"fmt"
	"strings"
)

type Perm uint8

const (
	Read Perm = 1 << iota
	Write
	Exec
)

func (p Perm) String() string {
	var s []string
	for _, f := range []struct {
		p Perm
		n string
	}{{Read, "r"}, {Write, "w"}, {Exec, "x"}} {
		if p&f.p != 0 {
			s = append(s, f.n)
		}
	}
	return strings.Join(s, "")
}

func main() {
	p := Read | Exec
	fmt.Println(p, p|Write, p&^Read, uint8(p))
}
