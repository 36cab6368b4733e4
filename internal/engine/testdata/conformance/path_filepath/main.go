package main

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

func main() {
	fmt.Println(path.Join("a", "b/../c", "d.txt"))
	fmt.Println(filepath.Base("/x/y/z.csv"), filepath.Ext("data.tar.gz"), filepath.Dir("/x/y/z"))
	fmt.Println(strings.TrimSuffix("report.csv", filepath.Ext("report.csv")))
	m, _ := filepath.Match("*.go", "main.go")
	fmt.Println(m)
}
