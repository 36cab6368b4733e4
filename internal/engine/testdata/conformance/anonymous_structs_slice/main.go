package main

import "fmt"

func main() {
	tests := []struct {
		in   int
		want string
	}{
		{1, "odd"},
		{2, "even"},
	}
	for _, tc := range tests {
		got := "even"
		if tc.in%2 == 1 {
			got = "odd"
		}
		fmt.Println(tc.in, got == tc.want)
	}
}
