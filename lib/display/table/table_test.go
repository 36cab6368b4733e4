package table

import (
	"math"
	"strings"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{2, "2"}, {-3, "-3"}, {0.123456, "0.1235"}, {1.5, "1.5"}, {1.5e-7, "1.5e-07"}, {2.5e7 + 0.5, "2.5e+07"},
		{math.NaN(), "NA"}, {math.Inf(1), "+Inf"}, {math.Inf(-1), "-Inf"}, {1234.56789, "1234.5679"},
	} {
		if got := FormatFloat(tc.in); got != tc.want {
			t.Errorf("FormatFloat(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNumericElides(t *testing.T) {
	tb := Numeric(30, 3, func(i, j int) float64 { return float64(i*10 + j) }, nil, []string{"a", "b", "c"})
	if len(tb.Cells) != headRows+1+tailRows {
		t.Fatalf("%d rows shown", len(tb.Cells))
	}
	if tb.RowLabels[headRows] != "…" || tb.RowLabels[len(tb.RowLabels)-1] != "29" {
		t.Errorf("row labels %v", tb.RowLabels)
	}
	if tb.Note != "30 rows × 3 columns" {
		t.Errorf("note %q", tb.Note)
	}
	h := tb.HTML()
	for _, want := range []string{"<th>29</th>", `<th style="text-align: right">c</th>`, "30 rows × 3 columns", "<td style=\"text-align: right\">292</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	small := Numeric(2, 2, func(i, j int) float64 { return 0.5 }, []string{"x<y", "z"}, nil)
	if small.Note != "" || !strings.Contains(small.HTML(), "x&lt;y") {
		t.Errorf("small table: note %q, html %s", small.Note, small.HTML())
	}
	if got, want := small.Text(), "       0    1\nx<y  0.5  0.5\nz    0.5  0.5\n"; got != want {
		t.Errorf("Text:\n%q\nwant\n%q", got, want)
	}
}

func TestStringIsText(t *testing.T) {
	tb := &Table{Corner: "k", Header: []string{"recall"}, RowLabels: []string{"5"}, Cells: [][]string{{"0.1"}}}
	if tb.String() != tb.Text() || !strings.Contains(tb.String(), "recall") {
		t.Errorf("String %q, Text %q", tb.String(), tb.Text())
	}
}
