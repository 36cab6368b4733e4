package main

import "fmt"

type Address struct {
	City string
}

type User struct {
	Name    string
	Age     int
	Address *Address
	tags    []string
}

func main() {
	u := User{Name: "Ann", Age: 30, Address: &Address{"Oslo"}}
	fmt.Printf("%v\n%+v\n", u.Name, *u.Address)
	u2 := u
	u2.Address.City = "Bergen"
	fmt.Println(u.Address.City)
	p := &u
	p.Age++
	fmt.Println(u.Age)
	anon := struct {
		X, Y int
	}{1, 2}
	fmt.Println(anon)
}
