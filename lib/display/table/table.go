// Package table formats labeled numeric tables as aligned text and as HTML
// for notebook display. It uses only the standard library, so data packages
// such as lib/nmf can render themselves without depending on plotting.
package table

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// FormatFloat formats a value for a table: integers exactly, other values
// with at most four decimals (or four significant digits when very small
// or large), "NA" for NaN.
func FormatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NA"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if a := math.Abs(v); a >= 1e-3 && a < 1e6 {
		s := strconv.FormatFloat(v, 'f', 4, 64)
		s = strings.TrimRight(s, "0")
		return strings.TrimSuffix(s, ".")
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Table is a grid of cells with optional column headers and row labels.
type Table struct {
	// Header labels the columns; it may be nil. When RowLabels is set,
	// Header has one entry per data column (the corner is Corner).
	Header []string
	// RowLabels labels the rows; it may be nil.
	RowLabels []string
	// Corner is the top-left cell when both Header and RowLabels are set.
	Corner string
	// Cells holds the data, row by row.
	Cells [][]string
	// Caption, if set, is shown above the table.
	Caption string
	// Note, if set, is shown below the table (such as the full size of an
	// elided matrix).
	Note string
}

// Elision limits: a table larger than this shows its first and last
// rows or columns with an ellipsis between.
const (
	MaxRows            = 20
	MaxCols            = 20
	headRows, tailRows = 10, 5
	headCols, tailCols = 10, 5
)

// Numeric builds a table from a function giving the value at (i, j),
// formatting with FormatFloat and eliding rows and columns beyond MaxRows
// and MaxCols. rowLabels and colLabels may be nil for 0-based indices.
func Numeric(rows, cols int, at func(i, j int) float64, rowLabels, colLabels []string) *Table {
	ri := keep(rows, MaxRows, headRows, tailRows)
	ci := keep(cols, MaxCols, headCols, tailCols)
	label := func(labels []string, i int) string {
		if i < 0 {
			return "…"
		}
		if labels == nil {
			return strconv.Itoa(i)
		}
		return labels[i]
	}
	t := &Table{}
	for _, j := range ci {
		t.Header = append(t.Header, label(colLabels, j))
	}
	for _, i := range ri {
		t.RowLabels = append(t.RowLabels, label(rowLabels, i))
		row := make([]string, len(ci))
		for c, j := range ci {
			if i < 0 || j < 0 {
				row[c] = "…"
				continue
			}
			row[c] = FormatFloat(at(i, j))
		}
		t.Cells = append(t.Cells, row)
	}
	if len(ri) < rows || len(ci) < cols {
		t.Note = fmt.Sprintf("%d rows × %d columns", rows, cols)
	}
	return t
}

// keep returns the indices shown of n, with -1 for the ellipsis.
func keep(n, most, head, tail int) []int {
	idx := make([]int, 0, min(n, most))
	if n <= most {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := 0; i < head; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - tail; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// String is Text, so that a table shown as a value reads as a table.
func (t *Table) String() string { return t.Text() }

// Text formats the table with right-aligned columns (the row labels
// left-aligned).
func (t *Table) Text() string {
	var grid [][]string
	if t.Header != nil {
		h := t.Header
		if t.RowLabels != nil {
			h = append([]string{t.Corner}, h...)
		}
		grid = append(grid, h)
	}
	for i, row := range t.Cells {
		if t.RowLabels != nil {
			row = append([]string{t.RowLabels[i]}, row...)
		}
		grid = append(grid, row)
	}
	var b strings.Builder
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n")
	}
	b.WriteString(Align(grid, t.RowLabels != nil))
	if t.Note != "" {
		b.WriteString("(" + t.Note + ")\n")
	}
	return b.String()
}

// Align lays out a grid of cells as text, right-aligning every column but
// the first when firstLeft is set, and every column otherwise.
func Align(grid [][]string, firstLeft bool) string {
	var width []int
	for _, row := range grid {
		for j, s := range row {
			if j >= len(width) {
				width = append(width, 0)
			}
			width[j] = max(width[j], len([]rune(s)))
		}
	}
	var b strings.Builder
	for _, row := range grid {
		for j, s := range row {
			pad := strings.Repeat(" ", width[j]-len([]rune(s)))
			switch {
			case j == 0 && firstLeft:
				b.WriteString(s + pad)
			case j == 0:
				b.WriteString(pad + s)
			default:
				b.WriteString("  " + pad + s)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// HTML formats the table as an HTML table in the style notebook front ends
// give data frames: a header row, bold row labels, right-aligned numbers.
func (t *Table) HTML() string {
	var b strings.Builder
	b.WriteString(`<table class="nmfkernel-table">`)
	if t.Caption != "" {
		b.WriteString("<caption>" + html.EscapeString(t.Caption) + "</caption>")
	}
	if t.Header != nil {
		b.WriteString("<thead><tr>")
		if t.RowLabels != nil {
			b.WriteString("<th>" + html.EscapeString(t.Corner) + "</th>")
		}
		for _, h := range t.Header {
			b.WriteString(`<th style="text-align: right">` + html.EscapeString(h) + "</th>")
		}
		b.WriteString("</tr></thead>")
	}
	b.WriteString("<tbody>")
	for i, row := range t.Cells {
		b.WriteString("<tr>")
		if t.RowLabels != nil {
			b.WriteString("<th>" + html.EscapeString(t.RowLabels[i]) + "</th>")
		}
		for _, c := range row {
			b.WriteString(`<td style="text-align: right">` + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	if t.Note != "" {
		b.WriteString("<p><small>" + html.EscapeString(t.Note) + "</small></p>")
	}
	return b.String()
}
