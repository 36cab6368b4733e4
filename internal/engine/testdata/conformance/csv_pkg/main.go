package main

import (
	"encoding/csv"
	"fmt"
	"strings"
)

func main() {
	r := csv.NewReader(strings.NewReader("name,qty\ntea,2\n\"milk, whole\",1\n"))
	rows, err := r.ReadAll()
	fmt.Println(len(rows), err)
	for _, row := range rows[1:] {
		fmt.Printf("%s=%s\n", row[0], row[1])
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"a,b", "c"})
	w.Flush()
	fmt.Print(b.String())
}
