package display

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"nmfkernel/lib/display/table"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

type htmlThing struct{}

func (htmlThing) HTML() string   { return "<b>x</b>" }
func (htmlThing) String() string { return "thing" }

func TestRender(t *testing.T) {
	p := plot.New()
	line, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	p.Add(line)
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.White)
	var nilPlot *plot.Plot
	for _, tc := range []struct {
		name  string
		v     any
		mimes []string
		text  string
	}{
		{"int", 42, []string{MIMEText}, "42"},
		{"string", "hi", []string{MIMEText}, "hi"},
		{"stringer and html", htmlThing{}, []string{MIMEText, MIMEHTML}, "thing"},
		{"matrix", mat.NewDense(2, 2, []float64{1, 2, 3, 4.5}), []string{MIMEText, MIMEHTML}, "   0    1\n0  1    2\n1  3  4.5\n"},
		{"image", img, []string{MIMEText, MIMEPNG}, "<image 3×2>"},
		{"plot", p, []string{MIMEText, MIMEPNG}, "<PNG image>"},
		{"nil plot", nilPlot, []string{MIMEText}, "<nil>"},
		{"bundle", Bundle{"text/latex": "$x$"}, []string{"text/latex"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Render(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != len(tc.mimes) {
				t.Errorf("bundle has %d types, want %v", len(b), tc.mimes)
			}
			for _, m := range tc.mimes {
				if b[m] == nil {
					t.Errorf("no %s in bundle", m)
				}
			}
			if tc.text != "" && b[MIMEText] != tc.text {
				t.Errorf("text/plain %q, want %q", b[MIMEText], tc.text)
			}
		})
	}
	b, _ := Render(p)
	cfg, err := png.DecodeConfig(bytes.NewReader(b[MIMEPNG].([]byte)))
	if err != nil || cfg.Width != 768 || cfg.Height != 480 {
		t.Errorf("plot PNG %d×%d (%v), want 768×480", cfg.Width, cfg.Height, err)
	}
	if b, _ := Render(nil); b != nil {
		t.Errorf("nil renders %v", b)
	}
}

func TestDisplayerAndHandle(t *testing.T) {
	var got []Data
	d := NewDisplayer(func(x Data) { got = append(got, x) })
	d.HTML("<i>a</i>")
	d.Markdown("# b")
	if err := d.PNG([]byte("not a png")); err == nil {
		t.Error("PNG accepted bad data")
	}
	h := d.NewHandle()
	h.Text("1%")
	h.Text("100%")
	if len(got) != 4 {
		t.Fatalf("%d displays: %+v", len(got), got)
	}
	if got[0].Bundle[MIMEHTML] != "<i>a</i>" || got[1].Bundle[MIMEMarkdown] != "# b" {
		t.Errorf("bundles %+v", got[:2])
	}
	if got[2].DisplayID != h.ID() || got[2].Update || !got[3].Update || got[3].DisplayID != h.ID() || len(h.ID()) != 32 {
		t.Errorf("handle displays %+v %+v", got[2], got[3])
	}
	var out bytes.Buffer
	plain := NewDisplayer(printText(&out))
	plain.Text("hello")
	plain.HTML("<p>x</p>")
	if out.String() != "hello\n<HTML>\n" {
		t.Errorf("plain program output %q", out.String())
	}
}

func TestTable(t *testing.T) {
	var got Data
	d := NewDisplayer(func(x Data) { got = x })
	type row struct {
		Name  string
		Score float64
		skip  int
	}
	if err := d.Table([]row{{"a", 0.123456, 1}, {"b<", 2, 2}}); err != nil {
		t.Fatal(err)
	}
	h := got.Bundle[MIMEHTML].(string)
	for _, want := range []string{">Name<", ">Score<", ">0.1235<", "b&lt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("table HTML lacks %q: %s", want, h)
		}
	}
	if strings.Contains(h, "skip") {
		t.Error("unexported field shown")
	}
	if err := d.Table(map[string]int{"z": 1, "a": 2}); err != nil || !strings.HasPrefix(got.Bundle[MIMEText].(string), "key  value\na        2") {
		t.Errorf("map table: %v %q", err, got.Bundle[MIMEText])
	}
	built := &table.Table{Caption: "built", Corner: "k", Header: []string{"recall"}, RowLabels: []string{"5"}, Cells: [][]string{{"0.12"}}}
	if err := d.Table(built); err != nil || !strings.Contains(got.Bundle[MIMEHTML].(string), "built") || !strings.Contains(got.Bundle[MIMEText].(string), "0.12") {
		t.Errorf("*table.Table: %v %v", err, got.Bundle)
	}
	if err := d.Table((*table.Table)(nil)); err == nil {
		t.Error("Table of a nil *table.Table should fail")
	}
	if err := d.Table(42); err == nil {
		t.Error("Table(42) should fail")
	}
}
