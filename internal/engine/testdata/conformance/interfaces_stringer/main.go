package main

import "fmt"

type Point struct{ X, Y int }

func (p Point) String() string { return fmt.Sprintf("(%d, %d)", p.X, p.Y) }

type Temp float64

func (t Temp) String() string { return fmt.Sprintf("%.1f°C", float64(t)) }

func main() {
	fmt.Println(Point{1, 2})
	fmt.Printf("%v %s\n", Temp(21.5), Point{3, 4})
	fmt.Println([]Point{{0, 0}, {5, 6}})
}
