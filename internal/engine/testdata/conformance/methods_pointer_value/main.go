package main

import "fmt"

type Acc struct{ Balance int }

func (a *Acc) Deposit(n int) { a.Balance += n }
func (a Acc) Report() string { return fmt.Sprint("balance ", a.Balance) }

func main() {
	a := Acc{}
	a.Deposit(10)
	p := &a
	p.Deposit(5)
	fmt.Println(a.Report(), p.Report())
	f := a.Report
	a.Deposit(1)
	fmt.Println(f(), a.Report())
	g := (*Acc).Deposit
	g(&a, 100)
	fmt.Println(a.Balance)
}
