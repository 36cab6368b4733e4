package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

type Stack struct{ items []int }

func (s *Stack) Push(v int) { s.items = append(s.items, v) }
func (s *Stack) Pop() int {
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v
}

type Logger interface{ Log(string) }
type prefixLogger struct {
	prefix string
	lines  *[]string
}

func (p prefixLogger) Log(s string) { *p.lines = append(*p.lines, p.prefix+s) }

type Service struct {
	Logger
	name string
}

type byLen []string

func (b byLen) Len() int           { return len(b) }
func (b byLen) Less(i, j int) bool { return len(b[i]) < len(b[j]) }
func (b byLen) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

func classify(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int, int64:
		return fmt.Sprintf("integer %v", x)
	case string:
		return "string " + x
	case []int:
		return fmt.Sprint("ints ", len(x))
	case error:
		return "error " + x.Error()
	case fmt.Stringer:
		return "stringer " + x.String()
	default:
		return fmt.Sprintf("other %T", x)
	}
}

type Celsius struct{ deg float64 }

func (c Celsius) String() string { return fmt.Sprintf("%.1fC", c.deg) }

func main() {
	s := &Stack{}
	for i := range 4 {
		s.Push(i)
	}
	fmt.Println(s.Pop(), s.Pop(), s.items)
	var lines []string
	svc := Service{prefixLogger{"> ", &lines}, "svc"}
	svc.Log("start")
	svc.Logger.Log("again")
	fmt.Println(lines)
	words := []string{"banana", "kiwi", "apple", "fig"}
	sort.Sort(byLen(words))
	fmt.Println(words)
	sort.SliceStable(words, func(i, j int) bool { return words[i] < words[j] })
	fmt.Println(words)
	fmt.Println(classify(nil), classify(3), classify(int64(4)), classify("s"), classify([]int{1}), classify(fmt.Errorf("e")), classify(Celsius{3}), classify(2.5))
	fmt.Println(-7/2, -7%2, 7>>1, -7>>1, func() uint8 { a := uint8(200); return a + 100 }(), 1<<62)
	var z float64
	fmt.Println(math.MaxInt64, math.Inf(1), math.NaN() == math.NaN(), int(z+3.99), int(z-3.99))
	fmt.Println(-z, 1/math.Inf(-1), math.Copysign(0, -1))
	grid := [][]int{{1, 2}, {3, 4}}
	for _, row := range grid {
		row[0] = 0
	}
	fmt.Println(grid)
	arr := [3]int{1, 2, 3}
	for i, v := range arr {
		arr[2] = 100
		if i == 2 {
			fmt.Println("range copy", v)
		}
	}
	type kv struct {
		k string
		v int
	}
	counts := map[string]*kv{}
	for _, w := range strings.Fields("a b a c b a") {
		if counts[w] == nil {
			counts[w] = &kv{w, 0}
		}
		counts[w].v++
	}
	var out []kv
	for _, p := range counts {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].v > out[j].v })
	fmt.Println(out)
	for i := 0; i < 3; i++ {
		defer fmt.Print(i, " ")
	}
	fmt.Println(strings.Repeat("=", 5), strings.Title("go lang"), strings.Map(func(r rune) rune { return r + 1 }, "abc"))
}
