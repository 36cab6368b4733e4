package main

import (
	"bytes"
	"fmt"
)

func main() {
	var buf bytes.Buffer
	buf.WriteString("hello ")
	buf.Write([]byte("world"))
	buf.WriteByte('!')
	fmt.Println(buf.String(), buf.Len())
	fmt.Println(bytes.Contains([]byte("seafood"), []byte("foo")), bytes.ToUpper([]byte("x")))
	line, err := bytes.NewBufferString("a\nb\n").ReadString('\n')
	fmt.Printf("%q %v\n", line, err)
}
