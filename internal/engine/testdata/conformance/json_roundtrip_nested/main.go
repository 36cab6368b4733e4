package main

import (
	"encoding/json"
	"fmt"
)

type Inner struct {
	V []int `json:"v"`
}

type Outer struct {
	Name  string           `json:"name"`
	Inner Inner            `json:"inner"`
	Extra map[string]Inner `json:"extra"`
}

func main() {
	o := Outer{"x", Inner{[]int{1, 2}}, map[string]Inner{"k": {[]int{3}}}}
	b, _ := json.Marshal(o)
	fmt.Println(string(b))
	var back Outer
	fmt.Println(json.Unmarshal(b, &back), back.Extra["k"].V[0])
}
