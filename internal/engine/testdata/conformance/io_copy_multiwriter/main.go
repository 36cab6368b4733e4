package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	var b bytes.Buffer
	w := io.MultiWriter(os.Stdout, &b)
	n, err := io.Copy(w, strings.NewReader("copied text\n"))
	fmt.Println(n, err, b.Len())
	data, _ := io.ReadAll(io.LimitReader(strings.NewReader("abcdef"), 3))
	fmt.Println(string(data))
}
