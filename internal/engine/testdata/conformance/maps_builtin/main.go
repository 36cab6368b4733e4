package main

import (
	"fmt"
	"sort"
)

func main() {
	m := map[string]int{"apple": 3, "pear": 1}
	m["fig"] = 7
	delete(m, "pear")
	v, ok := m["pear"]
	fmt.Println(v, ok, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println(keys)
	fmt.Println(m)
	clear(m)
	fmt.Println(len(m))
}
