package main

import (
	"fmt"
	"sort"
)

type Order struct {
	Customer string
	Amount   float64
}

func main() {
	orders := []Order{{"ann", 10}, {"bob", 5}, {"ann", 7.5}}
	byCustomer := map[string][]Order{}
	for _, o := range orders {
		byCustomer[o.Customer] = append(byCustomer[o.Customer], o)
	}
	names := make([]string, 0)
	for n := range byCustomer {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		total := 0.0
		for _, o := range byCustomer[n] {
			total += o.Amount
		}
		fmt.Printf("%s %d %.1f\n", n, len(byCustomer[n]), total)
	}
}
