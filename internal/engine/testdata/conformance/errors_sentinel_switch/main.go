package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

func main() {
	r := strings.NewReader("ab")
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		switch {
		case errors.Is(err, io.EOF):
			fmt.Println("EOF")
			return
		case err != nil:
			fmt.Println("error", err)
			return
		}
		fmt.Println(string(buf[:n]))
	}
}
