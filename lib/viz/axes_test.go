package viz

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"nmfkernel/lib/nmf"
)

// TestConvergenceAxis: the y axis always has numbers in range, whatever
// the loss curve's span.
func TestConvergenceAxis(t *testing.T) {
	for _, tc := range []struct {
		name    string
		history []float64
		want    []string // in the SVG
	}{
		{"falls by 1000×", []float64{1000, 100, 10, 5, 2, 1}, []string{"loss (log scale)", ">1000<", ">100<", ">10<"}},
		{"within one decade", []float64{9, 7, 6, 5.5, 5.2, 5}, []string{"loss", ">5<", ">6<", ">7<"}},
		{"a 0.01% drop", []float64{100.01, 100.005, 100.002, 100.001, 100}, []string{"% above the final loss 100", "%<"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Convergence(&nmf.Model{History: tc.history})
			if err != nil {
				t.Fatal(err)
			}
			svg := f.SVG()
			for _, w := range tc.want {
				if !strings.Contains(svg, w) {
					t.Errorf("SVG lacks %q", w)
				}
			}
			// At least three numeric labels on the y axis (besides the
			// iteration numbers 1…n).
			nums := regexp.MustCompile(`>(-?[0-9.]+%?)<`).FindAllStringSubmatch(svg, -1)
			if len(nums) < len(tc.history)+3 {
				t.Errorf("only %d numbers in the SVG: %v", len(nums), nums)
			}
		})
	}
}

// TestHeatmapColors: counts get a sequential map in which no count is
// drawn in the background's white; Colors overrides it.
func TestHeatmapColors(t *testing.T) {
	counts, _ := nmf.NewMatrix([]string{"a", "b"}, []string{"x", "y", "z"}, []float64{0, 1, 1, 4, 1, 0})
	f, err := Heatmap(counts, Values(false))
	if err != nil {
		t.Fatal(err)
	}
	cm := colorMap(nil, 0, 4)
	for _, v := range []float64{0, 1, 2, 4} {
		c, _ := cm.At(v)
		if luminance(c) > 0.9 {
			t.Errorf("value %v is drawn near-white (luminance %.2f)", v, luminance(c))
		}
	}
	c0, _ := cm.At(0)
	c4, _ := cm.At(4)
	if luminance(c0) >= luminance(c4) {
		t.Error("the sequential map does not grow lighter with the value")
	}
	b, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	signed, _ := nmf.NewMatrix([]string{"a"}, []string{"x", "y"}, []float64{-2, 1})
	d := colorMap(nil, -2, 1)
	if d.Min() != -2 || d.Max() != 2 {
		t.Errorf("a diverging map is centred on zero: [%v, %v]", d.Min(), d.Max())
	}
	if _, err := Heatmap(signed, Colors(Viridis())); err != nil {
		t.Error(err)
	}
}

// TestScoresLegend: the legend appears only when new and known cells mix,
// and then in a margin no bar reaches.
func TestScoresLegend(t *testing.T) {
	mixed := nmf.Scores{{Label: "Peter", Value: 0.45, Known: true}, {Label: "Jennifer", Value: 0.41}, {Label: "Alice", Value: 0.2}}
	f, err := Scores(mixed, "mixed")
	if err != nil {
		t.Fatal(err)
	}
	p := f.Plots[0][0]
	if !strings.Contains(f.SVG(), "already known") || !p.Legend.Top || p.Legend.Left {
		t.Error("a mixed list has its legend at the top right")
	}
	if p.X.Max < 0.45/0.65-1e-12 {
		t.Errorf("bars reach %v of an axis to %v: the legend would cover them", 0.45, p.X.Max)
	}
	fresh := nmf.Scores{{Label: "Jennifer", Value: 0.41}, {Label: "Alice", Value: 0.2}}
	f, err = Scores(fresh, "after ExcludeKnown")
	if err != nil {
		t.Fatal(err)
	}
	if svg := f.SVG(); strings.Contains(svg, "already known") || strings.Contains(svg, ">new<") {
		t.Error("a list of new cells only has a legend")
	}
}

// TestPlotsAndComposition: Save, PNG and Grid take gonum plots; Compose
// takes the helpers' results directly and keeps the first error.
func TestPlotsAndComposition(t *testing.T) {
	_, m := groceryModel(t)
	p := plot.New()
	p.Title.Text = "a gonum plot"
	line, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	p.Add(line)
	dir := t.TempDir()
	if err := Save(p, filepath.Join(dir, "p.svg")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "p.svg")); !strings.Contains(string(b), "a gonum plot") {
		t.Error("a saved gonum plot lacks its title")
	}
	if _, err := PNG(p); err != nil {
		t.Error(err)
	}
	weights, _ := SegmentWeights(m)
	g, err := Grid(2, weights, p)
	if err != nil || len(g.Plots) != 2 {
		t.Fatalf("Grid of a figure and a plot: %v, %d rows", err, len(g.Plots))
	}
	fig, err := Compose(2).Add(SegmentWeights(m)).Add(Membership(m)).Add(p, nil).Figure()
	if err != nil || fig == nil {
		t.Fatalf("Compose: %v", err)
	}
	_, err = Compose(2).Add(Membership(m)).Add(Heatmap(nil)).Add(Convergence(nil)).Figure()
	if err == nil || !strings.Contains(err.Error(), "item 2") || !strings.Contains(err.Error(), "Heatmap") {
		t.Errorf("Compose keeps the first error: %v", err)
	}
	var buf bytes.Buffer
	if err := g.Encode(&buf, "pdf"); err != nil || !strings.HasPrefix(buf.String(), "%PDF") {
		t.Errorf("Encode pdf: %v", err)
	}
}

// TestImageGrid: columns become pictures, labeled, the right size.
func TestImageGrid(t *testing.T) {
	// Two 4×3 pictures: a horizontal bar and a vertical one.
	data := make([]float64, 12*2)
	for x := range 4 {
		data[(1*4+x)*2] = 1 // row y=1 of picture 0
	}
	for y := range 3 {
		data[(y*4+2)*2+1] = 2 // column x=2 of picture 1
	}
	W, _ := nmf.NewMatrix(make12(), []string{"bar", "pole"}, data)
	f, err := ImageGrid(W, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	svg := f.SVG()
	for _, l := range []string{"bar", "pole"} {
		if !strings.Contains(svg, l) {
			t.Errorf("SVG lacks the title %q", l)
		}
	}
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
	if _, err := ImageGrid(W, 5, 3); err == nil || !strings.Contains(err.Error(), "5 × 3") {
		t.Errorf("wrong size: %v", err)
	}
	if _, err := ImageGrid(mat.NewDense(12, 2, data).T(), 4, 3); err == nil {
		t.Error("a transposed 2×12 matrix is not 12-pixel pictures")
	}
	if f, err := ImageGrid(mat.NewDense(12, 2, data), 4, 3, Colors(Viridis()), Columns(1)); err != nil || len(f.Plots) != 2 {
		t.Errorf("a gonum matrix, in one column: %v", err)
	}
}

func make12() []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = string(rune('a' + i))
	}
	return out
}
