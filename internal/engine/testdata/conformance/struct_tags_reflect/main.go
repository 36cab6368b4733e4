package main

import (
	"fmt"
	"reflect"
)

type Rec struct {
	ID   int    `db:"id"`
	Name string `db:"name"`
}

func main() {
	t := reflect.TypeOf(Rec{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fmt.Println(f.Name, f.Tag.Get("db"), f.Type)
	}
	v := reflect.ValueOf(Rec{7, "x"})
	fmt.Println(v.Field(0).Int(), v.NumField())
}
