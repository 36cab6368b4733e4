package docs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"nmfkernel/symbols"
)

// Generate returns the gzipped JSON of every package's documentation.
func Generate() ([]byte, error) {
	all := map[string]*Package{}
	for _, path := range symbols.Packages {
		p, err := document(path)
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", path, err)
		}
		all[path] = p
	}
	js, err := json.Marshal(all) // map keys sorted: the output is reproducible
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(js)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func document(path string) (*Package, error) {
	wd, _ := os.Getwd()
	bp, err := build.Default.Import(path, wd, 0)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	dp, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return nil, err
	}
	p := &Package{Synopsis: dp.Synopsis(dp.Doc), Symbols: map[string]string{}}
	show := func(decl ast.Node, text string) string {
		var b strings.Builder
		printer.Fprint(&b, fset, decl)
		return strings.TrimSpace(b.String() + "\n\n" + text)
	}
	for _, f := range dp.Funcs {
		p.Symbols[f.Name] = show(f.Decl, f.Doc)
	}
	for _, vs := range [][]*doc.Value{dp.Vars, dp.Consts} {
		for _, v := range vs {
			for _, n := range v.Names {
				if token.IsExported(n) {
					p.Symbols[n] = show(v.Decl, v.Doc)
				}
			}
		}
	}
	for _, t := range dp.Types {
		p.Symbols[t.Name] = show(t.Decl, t.Doc)
		for _, f := range t.Funcs {
			p.Symbols[f.Name] = show(f.Decl, f.Doc)
		}
		for _, m := range t.Methods {
			p.Symbols[t.Name+"."+m.Name] = show(m.Decl, m.Doc)
		}
		for _, vs := range [][]*doc.Value{t.Vars, t.Consts} {
			for _, v := range vs {
				for _, n := range v.Names {
					if token.IsExported(n) {
						p.Symbols[n] = show(v.Decl, v.Doc)
					}
				}
			}
		}
	}
	return p, nil
}
