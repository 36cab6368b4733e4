package main

import (
	"encoding/json"
	"fmt"
)

type Item struct {
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags,omitempty"`
	skip  int
}

func main() {
	b, err := json.Marshal(Item{Name: "tea", Price: 2.5})
	fmt.Println(string(b), err)
	b, _ = json.MarshalIndent(map[string]any{"b": 1, "a": []int{1, 2}}, "", "  ")
	fmt.Println(string(b))
}
