package main

import (
	"fmt"
	"os"
	"text/tabwriter"
)

func main() {
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 1, ' ', 0)
	fmt.Fprintln(w, "name\tqty\tprice")
	fmt.Fprintln(w, "tea\t2\t3.50")
	fmt.Fprintln(w, "coffee beans\t10\t12.00")
	w.Flush()
}
