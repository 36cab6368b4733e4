// Command gen writes the embedded documentation of the non-standard
// packages cells can import (symbols.Packages): for each, its synopsis
// and every exported declaration with its doc comment.
package main

import (
	"flag"
	"log"
	"os"

	"nmfkernel/symbols/docs"
)

func main() {
	out := flag.String("o", "docs.json.gz", "output file")
	flag.Parse()
	b, err := docs.Generate()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
