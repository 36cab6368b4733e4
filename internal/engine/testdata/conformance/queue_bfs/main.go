package main

import "fmt"

func main() {
	graph := map[int][]int{1: {2, 3}, 2: {4}, 3: {4}, 4: {}}
	visited := map[int]bool{1: true}
	queue := []int{1}
	var order []int
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		order = append(order, n)
		for _, m := range graph[n] {
			if !visited[m] {
				visited[m] = true
				queue = append(queue, m)
			}
		}
	}
	fmt.Println(order)
}
