package viz

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"nmfkernel/lib/nmf"
)

func groceryModel(t testing.TB) (*nmf.Matrix, *nmf.Model) {
	t.Helper()
	V, err := nmf.ReadCSV("../nmf/testdata/grocery.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := nmf.Fit(V, nmf.Options{Components: 3, Init: nmf.InitNNDSVD})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.NameSegments("Fruit pickers", "Bread eaters", "Veggies"); err != nil {
		t.Fatal(err)
	}
	return V, m
}

func TestHelpers(t *testing.T) {
	V, m := groceryModel(t)
	targets, _ := m.Targets("Coffee", 0)
	scan, err := nmf.ScanRanks(V, []int{1, 2, 3}, nmf.ScanOptions{Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	withMissing, _ := nmf.NewMatrix([]string{"a", "b"}, []string{"x", "y"}, []float64{1, math.NaN(), 3, 4})
	people := []string{"John", "Alice", "Mary", "Greg", "Peter", "Jennifer"}
	items := []string{"Vegetables", "Fruits", "Sweets", "Bread", "Coffee"}
	segments := []string{"Fruit pickers", "Bread eaters", "Veggies"}
	for _, tc := range []struct {
		name   string
		make   func() (*Figure, error)
		labels []string
	}{
		{"SegmentWeights", func() (*Figure, error) { return SegmentWeights(m) }, append(items, segments...)},
		{"SegmentWeightsTop", func() (*Figure, error) { return SegmentWeights(m, Top(2)) }, []string{"Fruits", "Sweets", "Bread"}},
		{"Membership", func() (*Figure, error) { return Membership(m) }, append(people, segments...)},
		{"Heatmap", func() (*Figure, error) { return Heatmap(m.Reconstruct(), Title("W·H")) }, append(append(people, items...), "W·H", "4.01")},
		{"HeatmapMissing", func() (*Figure, error) { return Heatmap(withMissing) }, []string{"NA", "a", "y"}},
		{"Convergence", func() (*Figure, error) { return Convergence(m) }, []string{"iteration", "loss"}},
		{"RankScan", func() (*Figure, error) { return RankScan(scan) }, []string{"rank k", "cophenetic correlation"}},
		{"Scores", func() (*Figure, error) { return Scores(targets, "Coffee campaign") }, append(people, "Coffee campaign", "already known")},
		{"Grid", func() (*Figure, error) {
			a, _ := Heatmap(V)
			b, _ := Heatmap(m.Reconstruct())
			return Grid(2, a, b)
		}, items},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("PNG does not decode: %v", err)
			}
			wantW := int(math.Round(float64(f.Width.Dots(DefaultDPI))))
			if got := img.Bounds().Dx(); got != wantW {
				t.Errorf("PNG is %d pixels wide, want %d", got, wantW)
			}
			if blank(img) {
				t.Error("PNG is blank")
			}
			svg := f.SVG()
			for _, l := range tc.labels {
				if !strings.Contains(svg, l) {
					t.Errorf("SVG lacks the label %q", l)
				}
			}
			if os.Getenv("VIZ_WRITE") != "" {
				os.WriteFile(filepath.Join(os.TempDir(), "viz-test-"+tc.name+".png"), b, 0o644)
			}
		})
	}
}

// blank reports whether an image has a single color.
func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

func TestBadInput(t *testing.T) {
	_, m := groceryModel(t)
	for name, f := range map[string]func() (*Figure, error){
		"SegmentWeights nil": func() (*Figure, error) { return SegmentWeights(nil) },
		"Membership nil":     func() (*Figure, error) { return Membership(nil) },
		"Heatmap nil":        func() (*Figure, error) { return Heatmap(nil) },
		"Convergence nil":    func() (*Figure, error) { return Convergence(nil) },
		"Convergence empty":  func() (*Figure, error) { return Convergence(&nmf.Model{}) },
		"RankScan nil":       func() (*Figure, error) { return RankScan(nil) },
		"RankScan empty":     func() (*Figure, error) { return RankScan(&nmf.RankScan{}) },
		"Scores empty":       func() (*Figure, error) { return Scores(nil, "x") },
		"Grid nil":           func() (*Figure, error) { return Grid(2, nil) },
		"Grid empty":         func() (*Figure, error) { return Grid(2) },
	} {
		if fig, err := f(); err == nil || fig != nil {
			t.Errorf("%s: no error", name)
		}
	}
	fig, _ := SegmentWeights(m)
	dir := t.TempDir()
	if err := Save(fig, filepath.Join(dir, "x.gif")); !errors.Is(err, ErrFormat) {
		t.Errorf("Save .gif: %v", err)
	}
	if err := Save(nil, filepath.Join(dir, "x.png")); err == nil {
		t.Error("Save nil figure")
	}
	if _, err := PNG(nil); err == nil {
		t.Error("PNG nil figure")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed saves left files: %v", entries)
	}
}

func TestSaveFormats(t *testing.T) {
	_, m := groceryModel(t)
	fig, _ := Membership(m)
	dir := t.TempDir()
	for ext, magic := range map[string]string{".png": "\x89PNG", ".svg": "<?xml", ".pdf": "%PDF", ".PNG": "\x89PNG"} {
		path := filepath.Join(dir, "m"+ext)
		if err := Save(fig, path, Size(4*vg.Inch, 3*vg.Inch), DPI(200)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if !strings.HasPrefix(string(b), magic) {
			t.Errorf("%s starts with %q", ext, b[:min(len(b), 8)])
		}
		if ext == ".png" {
			cfg, _ := png.DecodeConfig(bytes.NewReader(b))
			if cfg.Width != 800 || cfg.Height != 600 {
				t.Errorf("4×3 in at 200 dpi is %d×%d", cfg.Width, cfg.Height)
			}
		}
	}
}

// bigModel is a 30-item × 12-segment model.
func bigModel(b *testing.B) *nmf.Model {
	rows, k := 30, 12
	data := make([]float64, rows*k)
	for i := range data {
		data[i] = float64((i*7919)%97) / 97
	}
	items := make([]string, rows)
	for i := range items {
		items[i] = "item number " + string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	segs := make([]string, k)
	for i := range segs {
		segs[i] = "segment " + string(rune('A'+i))
	}
	W, _ := nmf.NewMatrix(items, segs, data)
	H, _ := nmf.NewMatrix(segs, []string{"p"}, make([]float64, k))
	return &nmf.Model{W: W, H: H}
}

// BenchmarkSegmentWeights renders a 30-item × 12-segment model to PNG.
func BenchmarkSegmentWeights(b *testing.B) {
	m := bigModel(b)
	for b.Loop() {
		f, err := SegmentWeights(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSegmentWeightsDraw draws the same figure on a canvas, without
// encoding it.
func BenchmarkSegmentWeightsDraw(b *testing.B) {
	m := bigModel(b)
	for b.Loop() {
		f, err := SegmentWeights(m)
		if err != nil {
			b.Fatal(err)
		}
		f.Draw(draw.New(vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DefaultDPI))))
	}
}
