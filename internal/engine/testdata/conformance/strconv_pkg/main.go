package main

import (
	"fmt"
	"strconv"
)

func main() {
	n, err := strconv.Atoi("123")
	fmt.Println(n+1, err)
	_, err = strconv.Atoi("12a")
	fmt.Println(err)
	f, _ := strconv.ParseFloat("3.25", 64)
	fmt.Println(f * 2)
	b, _ := strconv.ParseBool("true")
	fmt.Println(b, strconv.Itoa(99)+"!", strconv.Quote("hi\n"), strconv.FormatInt(255, 16))
	fmt.Println(strconv.FormatFloat(1.0/3, 'f', 4, 64))
}
