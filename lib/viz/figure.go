// Package viz draws the pictures a data scientist draws of a
// factorization, with one call each, on gonum/plot: segment weights
// (columns of W), memberships (normalized H), labeled heatmaps, loss
// curves, rank scans and recommendation scores.
//
// Every helper returns a *Figure: one or more plots laid out in a grid.
// A Figure shows itself inline in a notebook (it has PNG and SVG methods
// that the display package uses), and Save writes it as PNG, SVG or PDF
// by the file's extension. A segment keeps its color from figure to figure
// (SegmentColor).
package viz

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"nmfkernel/internal/atomicfile"
	"nmfkernel/lib/display"
)

// Figure is a grid of plots drawn as one image.
type Figure struct {
	// Title, if set, is drawn above the grid.
	Title string
	// Plots holds the grid, row by row; a nil entry leaves its tile empty.
	Plots [][]*plot.Plot
	// Width and Height are the figure's size; DPI applies to PNG output.
	Width, Height vg.Length
	DPI           int

	// colWidths, when set, gives a one-row figure's columns these shares
	// of the width (a heatmap and its narrow color bar).
	colWidths []float64
	// drawer, when set, draws the figure instead of Plots (a Drawable
	// that is neither a Figure nor a plot).
	drawer Drawable
	// chart, when set (Interactive), is the figure as an interactive
	// chart, which notebooks show instead of the picture.
	chart display.Chart
}

// ErrFormat reports a file extension Save does not know.
var ErrFormat = errors.New("viz: unknown image format")

// Default sizes, readable on a laptop screen.
const (
	DefaultWidth  = 8 * vg.Inch
	DefaultHeight = 5 * vg.Inch
	DefaultDPI    = 96
)

// Option changes how a helper draws a figure.
type Option func(*config)

type config struct {
	width, height vg.Length
	dpi           int
	title         string
	top           int
	cols          int
	values        *bool
	colors        palette.ColorMap
	interactive   bool
}

// Size sets the figure's width and height.
func Size(w, h vg.Length) Option { return func(c *config) { c.width, c.height = w, h } }

// DPI sets the resolution of PNG output.
func DPI(dpi int) Option { return func(c *config) { c.dpi = dpi } }

// Title sets the figure's title.
func Title(t string) Option { return func(c *config) { c.title = t } }

// Top limits SegmentWeights to the n heaviest items of each segment.
func Top(n int) Option { return func(c *config) { c.top = n } }

// Columns sets how many panels a multi-panel figure puts side by side.
func Columns(n int) Option { return func(c *config) { c.cols = n } }

// Values turns the numbers written in heatmap cells on or off (by default
// they are written when the matrix has at most 15 rows and columns).
func Values(on bool) Option { return func(c *config) { c.values = &on } }

// Colors sets the color map of Heatmap and ImageGrid. By default
// non-negative data get a sequential map (viridis: dark for small values,
// yellow for large ones, never the background's white) and data with
// negative values a diverging map centred on zero.
func Colors(cm palette.ColorMap) Option { return func(c *config) { c.colors = cm } }

func newConfig(opts []Option) config {
	c := config{dpi: DefaultDPI}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// figure lays plots out in a grid of cols columns.
func (c config) figure(plots []*plot.Plot, cols int, width, height vg.Length) *Figure {
	if c.cols > 0 {
		cols = c.cols
	}
	cols = max(1, min(cols, len(plots)))
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range plots {
		grid[i/cols][i%cols] = p
	}
	f := &Figure{Title: c.title, Plots: grid, Width: width, Height: height, DPI: c.dpi}
	if c.width > 0 {
		f.Width = c.width
	}
	if c.height > 0 {
		f.Height = c.height
	}
	return f
}

// Draw draws the figure on a canvas.
func (f *Figure) Draw(dc draw.Canvas) {
	if f.drawer != nil {
		f.drawer.Draw(dc)
		return
	}
	if f.Title != "" {
		style := titleStyle()
		h := style.Height(f.Title)
		pt := vg.Point{X: dc.Center().X, Y: dc.Max.Y - h}
		dc.FillText(style, pt, f.Title)
		dc.Max.Y -= h * 1.6
	}
	rows := len(f.Plots)
	if rows == 0 {
		return
	}
	if len(f.colWidths) == len(f.Plots[0]) && rows == 1 {
		pad := vg.Millimeter * 3
		x := dc.Min.X
		total := dc.Max.X - dc.Min.X
		for i, p := range f.Plots[0] {
			w := vg.Length(f.colWidths[i]) * total
			sub := dc
			sub.Min.X, sub.Max.X = x+2*pad, x+w-pad
			sub.Min.Y, sub.Max.Y = dc.Min.Y+pad, dc.Max.Y-pad
			if p != nil {
				p.Draw(sub)
			}
			x += w
		}
		return
	}
	tiles := draw.Tiles{Rows: rows, Cols: len(f.Plots[0]), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(f.Plots, tiles, dc)
	for j, row := range f.Plots {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
}

func titleStyle() draw.TextStyle {
	s := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(15)), Handler: plot.DefaultTextHandler}
	s.XAlign = draw.XCenter
	return s
}

// Drawable is what Save, PNG and Grid accept: a *Figure, a gonum
// *plot.Plot, or anything else that draws itself on a canvas.
type Drawable interface {
	Draw(draw.Canvas)
}

// figureOf returns d as a figure: itself, or a one-panel figure of a plot.
func figureOf(d Drawable) (*Figure, error) {
	switch d := d.(type) {
	case *Figure:
		if d == nil {
			return nil, errors.New("viz: nil figure")
		}
		return d, nil
	case *plot.Plot:
		if d == nil {
			return nil, errors.New("viz: nil plot")
		}
		return &Figure{Plots: [][]*plot.Plot{{d}}, Width: DefaultWidth, Height: DefaultHeight}, nil
	case nil:
		return nil, errors.New("viz: nil figure")
	}
	return &Figure{drawer: d, Width: DefaultWidth, Height: DefaultHeight}, nil
}

// Encode writes the figure in the format named by ext ("png", "svg",
// "pdf", with or without the dot).
func (f *Figure) Encode(w io.Writer, ext string) error {
	var c interface {
		vg.CanvasSizer
	}
	width, height := f.Width, f.Height
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "png":
		dpi := f.DPI
		if dpi == 0 {
			dpi = DefaultDPI
		}
		img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		f.Draw(draw.New(img))
		// Flat-colored figures compress nearly as well at the fastest level,
		// which takes a fraction of the default's time.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(w, img.Image()); err != nil {
			return fmt.Errorf("viz: write png: %w", err)
		}
		return nil
	case "svg":
		c = vgsvg.New(width, height)
	case "pdf":
		c = vgpdf.New(width, height)
	default:
		return fmt.Errorf("%w %q: use .png, .svg or .pdf", ErrFormat, ext)
	}
	f.Draw(draw.New(c))
	if _, err := c.(io.WriterTo).WriteTo(w); err != nil {
		return fmt.Errorf("viz: write %s: %w", ext, err)
	}
	return nil
}

// PNG renders the figure as PNG; notebooks show it inline through this
// method.
func (f *Figure) PNG() ([]byte, error) {
	var b bytes.Buffer
	if err := f.Encode(&b, "png"); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MIMEBundle is what a notebook shows for the figure: a PNG and a text
// description. (Rendering only the PNG keeps inline display fast; Save
// writes SVG or PDF when wanted.)
//
// An Interactive figure also has its chart, as HTML that draws it (the
// picture inside for where scripts do not run).
func (f *Figure) MIMEBundle() display.Bundle {
	b, err := f.PNG()
	if err != nil {
		return display.Bundle{display.MIMEText: "viz: " + err.Error()}
	}
	out := display.Bundle{display.MIMEPNG: b, display.MIMEText: f.String()}
	if f.chart != nil {
		f.chart.Validate()
		height := int(f.Height.Points()*96/72) + 40
		if html, err := display.ChartHTML(f.chart.JSON(), min(max(height, 360), 900), b); err == nil {
			out[display.MIMEHTML] = html
		}
	}
	return out
}

// SVG renders the figure as SVG text.
func (f *Figure) SVG() string {
	var b bytes.Buffer
	if err := f.Encode(&b, "svg"); err != nil {
		return ""
	}
	return b.String()
}

// String describes the figure for plain-text output.
func (f *Figure) String() string {
	n := 0
	for _, row := range f.Plots {
		for _, p := range row {
			if p != nil {
				n++
			}
		}
	}
	t := ""
	if f.Title != "" {
		t = " " + f.Title
	}
	return fmt.Sprintf("<figure%s: %d panel(s)>", t, n)
}

// Save writes a figure (a *Figure, a gonum *plot.Plot, any Drawable) to
// path in the format its extension names (.png, .svg or .pdf), through a
// temporary file and a rename. Options override the figure's size and DPI.
func Save(d Drawable, path string, opts ...Option) error {
	f, err := figureOf(d)
	if err != nil {
		return fmt.Errorf("viz: Save %s: %w", path, err)
	}
	c := newConfig(opts)
	g := *f
	if c.width > 0 {
		g.Width, g.Height = c.width, c.height
	}
	if c.dpi != DefaultDPI {
		g.DPI = c.dpi
	}
	// Render first, so an unknown format fails before the file is touched.
	var buf bytes.Buffer
	if err := g.Encode(&buf, filepath.Ext(path)); err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return fmt.Errorf("viz: save %s: %w", path, err)
	}
	return nil
}

// PNG renders a figure (or plot) as PNG bytes.
func PNG(d Drawable) ([]byte, error) {
	f, err := figureOf(d)
	if err != nil {
		return nil, fmt.Errorf("viz: PNG: %w", err)
	}
	return f.PNG()
}

// Grid composes figures and plots into one figure, their panels laid out
// cols to a row.
func Grid(cols int, items ...Drawable) (*Figure, error) {
	var plots []*plot.Plot
	var width, height vg.Length
	for i, d := range items {
		f, err := figureOf(d)
		if err != nil {
			return nil, fmt.Errorf("viz: Grid item %d: %w", i+1, err)
		}
		if f.drawer != nil {
			return nil, fmt.Errorf("viz: Grid item %d is a %T: Grid lays out *viz.Figure and *plot.Plot", i+1, d)
		}
		for _, row := range f.Plots {
			for _, p := range row {
				if p != nil {
					plots = append(plots, p)
				}
			}
		}
		width, height = max(width, f.Width), max(height, f.Height)
	}
	if len(plots) == 0 {
		return nil, errors.New("viz: Grid of no plots")
	}
	cols = max(1, min(cols, len(plots)))
	rows := (len(plots) + cols - 1) / cols
	return newConfig(nil).figure(plots, cols, width*vg.Length(cols), height*vg.Length(rows)), nil
}

// Composition collects figures for Grid straight from the helpers that
// make them, keeping the first error, so that composing needs no error
// check per figure:
//
//	c := viz.Compose(2)
//	c.Add(viz.SegmentWeights(model))
//	c.Add(viz.Membership(model))
//	fig, err := c.Figure()
type Composition struct {
	cols  int
	items []Drawable
	err   error
}

// Compose starts a composition of cols panels to a row.
func Compose(cols int) *Composition { return &Composition{cols: cols} }

// Add adds a figure or plot, or records err (the first one is kept); its
// arguments are what the helpers return, so Add(viz.Heatmap(M)) works. It
// returns c, for chaining.
func (c *Composition) Add(d Drawable, err error) *Composition {
	switch {
	case c.err != nil:
	case err != nil:
		c.err = fmt.Errorf("viz: Compose item %d: %w", len(c.items)+1, err)
	default:
		c.items = append(c.items, d)
	}
	return c
}

// Figure returns the composed figure, or the first error Add received.
func (c *Composition) Figure() (*Figure, error) {
	if c.err != nil {
		return nil, c.err
	}
	return Grid(c.cols, c.items...)
}

// MIMEBundle shows the composition in a notebook: the figure, or the
// error that stopped it.
func (c *Composition) MIMEBundle() display.Bundle {
	f, err := c.Figure()
	if err != nil {
		return display.Bundle{display.MIMEText: err.Error()}
	}
	return f.MIMEBundle()
}

// Palette: the Okabe–Ito colors, safe for color-blind readers, then
// four from Paul Tol's palette, for up to twelve distinct segments.
var segmentColors = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{240, 228, 66, 255},  // yellow
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{136, 34, 85, 255},   // wine
	color.RGBA{68, 170, 153, 255},  // teal
	color.RGBA{153, 153, 51, 255},  // olive
	color.RGBA{170, 68, 153, 255},  // purple
}

// SegmentColor returns the color of segment i (0-based) in every figure;
// colors repeat after twelve segments.
func SegmentColor(i int) color.Color { return segmentColors[i%len(segmentColors)] }

// newPlot returns a plot with the package's look: readable fonts, a light
// grid.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(10)
	p.Y.Tick.Label.Font.Size = vg.Points(10)
	return p
}
