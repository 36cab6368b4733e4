package main

import "fmt"

type T struct {
	A int
	B string
}

func main() {
	t := T{1, "x"}
	fmt.Printf("%v|%+v|%#v|%T\n", t, t, t, t)
	fmt.Printf("%5d|%-5d|%05d|%x|%X|%o|%b\n", 42, 42, 42, 255, 255, 8, 5)
	fmt.Printf("%.3f|%8.2f|%e|%g|%g\n", 3.14159, 2.5, 12345.678, 0.000001, 100.0)
	fmt.Printf("%s|%q|%10s|%-10s|\n", "go", "go", "go", "go")
	fmt.Printf("%t|%p|%c|%%\n", true, nil, 'A')
	fmt.Printf("%v %v\n", []string{"a"}, map[int]bool{1: true})
	fmt.Println(fmt.Sprintf("%08.3f", -3.5), fmt.Sprint("a", 1, 2, "b"))
}
