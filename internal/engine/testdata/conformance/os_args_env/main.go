package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println(len(os.Args) >= 1)
	os.Setenv("CONFORMANCE_X", "1")
	fmt.Println(os.Getenv("CONFORMANCE_X"), os.Getenv("CONFORMANCE_UNSET") == "")
	v, ok := os.LookupEnv("CONFORMANCE_UNSET")
	fmt.Printf("%q %v\n", v, ok)
}
