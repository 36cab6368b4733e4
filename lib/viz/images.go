package viz

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ImageGrid draws each column of images as a small width×height picture
// (pixel (x, y) is row y·width + x), in a grid: the columns of W as the
// parts an NMF of images found, or, with H.T(), the rows of H. Each
// picture is scaled to its own largest value; by default in gray, 0 white
// and the largest value black, as such parts are usually drawn, and a
// picture with negative values in a blue–red map centred on zero (Colors
// sets a color map instead). Pictures are titled by the column labels of
// an *nmf.Matrix (anything with ColLabels), else numbered.
func ImageGrid(images mat.Matrix, width, height int, opts ...Option) (*Figure, error) {
	if images == nil {
		return nil, errors.New("viz: ImageGrid of nil matrix")
	}
	rows, n := images.Dims()
	if width <= 0 || height <= 0 || rows != width*height {
		return nil, fmt.Errorf("viz: ImageGrid: the matrix has %d rows, not width × height = %d × %d = %d", rows, width, height, width*height)
	}
	if n == 0 {
		return nil, errors.New("viz: ImageGrid of a matrix with no columns")
	}
	c := newConfig(opts)
	var labels []string
	if l, ok := images.(interface{ ColLabels() []string }); ok {
		labels = l.ColLabels()
	}
	plots := make([]*plot.Plot, n)
	for j := range n {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range rows {
			if v := images.At(i, j); !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if math.IsInf(lo, 1) {
			lo, hi = 0, 1
		}
		lo = math.Min(lo, 0)
		if hi <= lo {
			hi = lo + 1
		}
		img := image.NewRGBA(image.Rect(0, 0, width, height))
		cm := c.colors
		if cm != nil || lo < 0 {
			// Signed pictures (an SVD's) get the diverging map, centred on
			// zero, unless Colors chose one.
			cm = colorMap(cm, lo, hi)
		}
		for y := range height {
			for x := range width {
				v := images.At(y*width+x, j)
				var col color.Color
				switch {
				case math.IsNaN(v):
					col = color.RGBA{250, 244, 214, 255}
				case cm != nil:
					col, _ = cm.At(v)
				default:
					g := uint8(math.Round(255 * (1 - (v-lo)/(hi-lo))))
					col = color.Gray{Y: g}
				}
				img.Set(x, y, col)
			}
		}
		title := fmt.Sprint(j + 1)
		if j < len(labels) {
			title = labels[j]
		}
		p := newPlot(title)
		p.HideAxes()
		p.Add(plotter.NewImage(img, 0, 0, float64(width), float64(height)))
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, float64(width), 0, float64(height)
		plots[j] = p
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	if c.cols > 0 {
		cols = c.cols
	}
	cols = max(1, min(cols, n))
	gridRows := (n + cols - 1) / cols
	side := 1.6 * vg.Inch
	aspect := vg.Length(float64(height) / float64(width))
	f := c.figure(plots, cols, side*vg.Length(cols), (side*aspect+0.35*vg.Inch)*vg.Length(gridRows))
	if c.title != "" {
		f.Height += 0.4 * vg.Inch
	}
	return f, nil
}
