package display

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"reflect"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"nmfkernel/lib/display/table"
)

// Size of plots rendered for display: 8×5 inches at 96 dots per inch
// (768×480 pixels) unless changed.
var (
	PlotWidth  = 8 * vg.Inch
	PlotHeight = 5 * vg.Inch
	PlotDPI    = 96
)

// Render returns the MIME bundle for a value, richest forms first:
//
//   - a Bundle as it is, or what a MIMEBundle() Bundle method returns;
//   - a go-echarts chart (see Chart) as an interactive chart in HTML;
//   - a *plot.Plot or an image.Image as PNG;
//   - text/html, text/markdown, image/svg+xml and image/png from HTML(),
//     Markdown(), SVG() and PNG() methods;
//   - a gonum mat.Matrix as an HTML table;
//   - always text/plain, from a String() method or fmt's %v.
//
// A nil value renders as an empty bundle.
func Render(v any) (Bundle, error) {
	if v == nil {
		return nil, nil
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return Bundle{MIMEText: fmt.Sprintf("%v", v)}, nil
	}
	switch x := v.(type) {
	case Bundle:
		return x, nil
	case interface{ MIMEBundle() Bundle }:
		return x.MIMEBundle(), nil
	case Chart:
		return chartBundle(x)
	case *plot.Plot:
		b, err := PlotPNG(x)
		if err != nil {
			return nil, err
		}
		return pngBundle(b), nil
	case image.Image:
		var buf bytes.Buffer
		if err := png.Encode(&buf, x); err != nil {
			return nil, fmt.Errorf("display: encode PNG: %w", err)
		}
		b := x.Bounds()
		return Bundle{MIMEPNG: buf.Bytes(), MIMEText: fmt.Sprintf("<image %d×%d>", b.Dx(), b.Dy())}, nil
	}
	b := Bundle{MIMEText: fmt.Sprintf("%v", v)}
	if s, ok := v.(fmt.Stringer); ok {
		b[MIMEText] = s.String()
	}
	if h, ok := v.(interface{ HTML() string }); ok {
		b[MIMEHTML] = h.HTML()
	}
	if m, ok := v.(interface{ Markdown() string }); ok {
		b[MIMEMarkdown] = m.Markdown()
	}
	if s, ok := v.(interface{ SVG() string }); ok {
		b[MIMESVG] = s.SVG()
	}
	if p, ok := v.(interface{ PNG() ([]byte, error) }); ok {
		data, err := p.PNG()
		if err != nil {
			return nil, err
		}
		b[MIMEPNG] = data
	}
	if m, ok := v.(mat.Matrix); ok && b[MIMEHTML] == nil {
		r, c := m.Dims()
		t := table.Numeric(r, c, m.At, nil, nil)
		b[MIMEHTML] = t.HTML()
		b[MIMEText] = t.Text()
	}
	return b, nil
}

// PlotPNG renders a plot as PNG at PlotWidth × PlotHeight and PlotDPI.
func PlotPNG(p *plot.Plot) ([]byte, error) {
	if p == nil {
		return nil, errors.New("display: nil plot")
	}
	c := vgimg.NewWith(vgimg.UseWH(PlotWidth, PlotHeight), vgimg.UseDPI(PlotDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("display: render plot: %w", err)
	}
	return buf.Bytes(), nil
}

// tableOf builds a table from a slice of structs, a map or a [][]string.
func tableOf(v any) (*table.Table, error) {
	switch t := v.(type) {
	case *table.Table:
		if t == nil {
			return nil, errors.New("display: Table of nil *table.Table")
		}
		return t, nil
	case table.Table:
		return &t, nil
	}
	if rows, ok := v.([][]string); ok {
		if len(rows) == 0 {
			return nil, errors.New("display: Table of no rows")
		}
		return &table.Table{Header: rows[0], Cells: rows[1:]}, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		et := rv.Type().Elem()
		for et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if et.Kind() != reflect.Struct {
			return nil, fmt.Errorf("display: Table of %T: want a slice of structs, a map or [][]string", v)
		}
		t := &table.Table{}
		var fields []int
		for i := 0; i < et.NumField(); i++ {
			if et.Field(i).IsExported() {
				fields = append(fields, i)
				t.Header = append(t.Header, et.Field(i).Name)
			}
		}
		for i := 0; i < rv.Len(); i++ {
			e := reflect.Indirect(rv.Index(i))
			row := make([]string, len(fields))
			for c, f := range fields {
				if e.IsValid() {
					row[c] = cellText(e.Field(f))
				}
			}
			t.Cells = append(t.Cells, row)
		}
		return t, nil
	case reflect.Map:
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmpText(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
		})
		t := &table.Table{Header: []string{"value"}, Corner: "key"}
		for _, k := range keys {
			t.RowLabels = append(t.RowLabels, fmt.Sprint(k.Interface()))
			t.Cells = append(t.Cells, []string{cellText(rv.MapIndex(k))})
		}
		return t, nil
	}
	return nil, fmt.Errorf("display: Table of %T: want a slice of structs, a map or [][]string", v)
}

func cellText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return table.FormatFloat(v.Float())
	}
	if !v.CanInterface() {
		return ""
	}
	return fmt.Sprint(v.Interface())
}

func cmpText(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
