package main

import (
	"os"
	"text/template"
)

type Order struct {
	Customer string
	Items    []string
	Total    float64
}

func main() {
	tmpl := template.Must(template.New("order").Parse(
		"Dear {{.Customer}},\n{{range $i, $it := .Items}}{{$i}}: {{$it}}\n{{end}}Total: {{printf \"%.2f\" .Total}}\n"))
	tmpl.Execute(os.Stdout, Order{"Ann", []string{"tea", "milk"}, 4.5})
}
