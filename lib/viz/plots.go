package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"nmfkernel/lib/display/table"
	"nmfkernel/lib/nmf"
)

var errNilModel = errors.New("viz: nil model")

// SegmentWeights draws one panel per segment with a horizontal bar for
// each item's weight in it (a column of W), the segment's name as the
// panel's title: the picture that explains what a segment is.
func SegmentWeights(m *nmf.Model, opts ...Option) (*Figure, error) {
	if m == nil || m.W == nil {
		return nil, errNilModel
	}
	c := newConfig(opts)
	items, k := m.W.Dims()
	if items == 0 || k == 0 {
		return nil, errors.New("viz: SegmentWeights of an empty model")
	}
	segs := m.Segments(0)
	var plots []*plot.Plot
	maxW := 0.0
	for t := 0; t < k; t++ {
		for i := 0; i < items; i++ {
			maxW = math.Max(maxW, m.W.At(i, t))
		}
	}
	for t, seg := range segs {
		labels := m.W.RowLabels()
		values := make(plotter.Values, items)
		for i := range values {
			values[i] = m.W.At(i, t)
		}
		if c.top > 0 && c.top < items {
			top := seg.Items
			if len(top) > c.top {
				top = top[:c.top]
			}
			labels, values = nil, nil
			for i := len(top) - 1; i >= 0; i-- {
				labels = append(labels, top[i].Label)
				values = append(values, top[i].Value)
			}
		} else {
			// First item at the top.
			for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
				labels[i], labels[j] = labels[j], labels[i]
				values[i], values[j] = values[j], values[i]
			}
		}
		p := newPlot(seg.Name)
		bars, err := plotter.NewBarChart(values, barWidth(len(values)))
		if err != nil {
			return nil, fmt.Errorf("viz: SegmentWeights: %w", err)
		}
		bars.Horizontal = true
		bars.Color = SegmentColor(t)
		bars.LineStyle.Width = 0
		p.Add(plotter.NewGrid(), bars)
		p.NominalY(labels...)
		if c.top <= 0 && t%min(k, 4) != 0 {
			// Every panel lists the items in the same order: label them
			// once per row of panels.
			p.Y.Tick.Marker = plot.ConstantTicks(nil)
			p.Y.Tick.Length = 0
		}
		p.X.Min, p.X.Max = 0, maxW*1.05
		p.X.Label.Text = "weight"
		plots = append(plots, p)
	}
	cols := min(k, 4)
	rows := (k + cols - 1) / cols
	shown := items
	if c.top > 0 {
		shown = min(items, c.top)
	}
	width := vg.Length(cols)*2.5*vg.Inch + 0.8*vg.Inch
	height := vg.Length(rows) * (vg.Length(shown)*0.16*vg.Inch + 1.1*vg.Inch)
	f := c.figure(plots, cols, max(width, 6*vg.Inch), max(height, 3*vg.Inch))
	if c.interactive {
		f.chart = segmentWeightsChart(m, c.title)
	}
	return f, nil
}

// barWidth makes bars fill about 70% of their slot for a panel of n bars
// at the default sizes.
func barWidth(n int) vg.Length {
	return vg.Length(math.Max(4, math.Min(18, 200/float64(max(n, 1))))) * vg.Points(1)
}

// Membership draws, for every person, a stacked bar of their share in each
// segment (H normalized per person): who belongs where.
func Membership(m *nmf.Model, opts ...Option) (*Figure, error) {
	if m == nil || m.H == nil {
		return nil, errNilModel
	}
	c := newConfig(opts)
	memb := m.Membership()
	k, people := memb.Dims()
	if people == 0 {
		return nil, errors.New("viz: Membership of an empty model")
	}
	p := newPlot("Segment membership")
	p.Y.Label.Text = "share"
	// Room above the bars for the legend, one line per segment.
	p.Y.Min, p.Y.Max = 0, 1.08+0.075*float64(k)
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25, Label: "25%"}, {Value: 0.5, Label: "50%"}, {Value: 0.75, Label: "75%"}, {Value: 1, Label: "100%"}})
	names := m.SegmentNames()
	var prev *plotter.BarChart
	p.Add(plotter.NewGrid())
	w := vg.Length(math.Max(3, math.Min(30, 400/float64(people)))) * vg.Points(1)
	for t := 0; t < k; t++ {
		values := make(plotter.Values, people)
		for j := range values {
			values[j] = memb.At(t, j)
		}
		bars, err := plotter.NewBarChart(values, w)
		if err != nil {
			return nil, fmt.Errorf("viz: Membership: %w", err)
		}
		bars.Color = SegmentColor(t)
		bars.LineStyle.Width = 0
		if prev != nil {
			bars.StackOn(prev)
		}
		prev = bars
		p.Add(bars)
		p.Legend.Add(names[t], bars)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.NominalX(memb.ColLabels()...)
	if people > 12 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	width := vg.Length(math.Max(6, math.Min(16, float64(people)*0.35))) * vg.Inch
	f := c.figure([]*plot.Plot{p}, 1, width, DefaultHeight)
	if c.interactive {
		f.chart = membershipChart(m, c.title)
	}
	return f, nil
}

// Heatmap draws a labeled matrix as colored cells with a color bar, the
// values written in the cells when the matrix is small; missing cells are
// drawn in ivory, a color the palette never uses, and marked "NA".
func Heatmap(M *nmf.Matrix, opts ...Option) (*Figure, error) {
	if M == nil {
		return nil, errors.New("viz: Heatmap of nil matrix")
	}
	c := newConfig(opts)
	rows, cols := M.Dims()
	if rows == 0 || cols == 0 {
		return nil, errors.New("viz: Heatmap of an empty matrix")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if v := M.At(i, j); !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	pal := colorMap(c.colors, lo, hi)
	colors := pal.Palette(255)
	p := newPlot("")
	hm := plotter.NewHeatMap(gridOf{M}, colors)
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.RGBA{250, 244, 214, 255} // ivory: a color neither default map uses
	p.Add(hm)
	showValues := rows <= 15 && cols <= 15
	if c.values != nil {
		showValues = *c.values
	}
	if showValues {
		var xys plotter.XYs
		var texts []string
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				xys = append(xys, plotter.XY{X: float64(j), Y: float64(rows - 1 - i)})
				texts = append(texts, table.FormatFloat(round(M.At(i, j))))
			}
		}
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
		if err != nil {
			return nil, fmt.Errorf("viz: Heatmap labels: %w", err)
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].XAlign = draw.XCenter
			labels.TextStyle[i].YAlign = draw.YCenter
			labels.TextStyle[i].Font.Size = vg.Points(9)
			// White on dark cells, black on light ones.
			if v := M.At(i/cols, i%cols); !math.IsNaN(v) {
				idx := int((v - lo) / (hi - lo) * float64(len(colors.Colors())-1))
				if luminance(colors.Colors()[max(0, min(idx, len(colors.Colors())-1))]) < 0.45 {
					labels.TextStyle[i].Color = color.White
				}
			}
		}
		p.Add(labels)
	}
	p.NominalX(M.ColLabels()...)
	rl := M.RowLabels()
	for i, j := 0, len(rl)-1; i < j; i, j = i+1, j-1 {
		rl[i], rl[j] = rl[j], rl[i]
	}
	p.NominalY(rl...)
	if cols > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	bar := &plotter.ColorBar{ColorMap: pal, Vertical: true}
	cb := newPlot("")
	cb.Add(bar)
	cb.HideX()
	cb.Y.Padding = 0
	f := c.figure([]*plot.Plot{p, cb}, 2, 0, 0)
	f.Width = vg.Length(math.Max(5, math.Min(14, 2.5+float64(cols)*0.6))) * vg.Inch
	f.Height = vg.Length(math.Max(3, math.Min(12, 1.2+float64(rows)*0.45))) * vg.Inch
	if c.width > 0 {
		f.Width, f.Height = c.width, c.height
	}
	// The color bar gets a narrow column: lay out by hand.
	f.Plots = [][]*plot.Plot{{p, cb}}
	f.colWidths = []float64{0.88, 0.12}
	if c.interactive {
		f.chart = heatmapChart(M, c.title)
	}
	return f, nil
}

// viridisControls are viridis's colors at nine even steps (van der Walt &
// Smith, matplotlib): perceptually uniform, monotonic in lightness,
// readable by the color-blind and in gray.
var viridisControls = []color.Color{
	color.NRGBA{0x44, 0x01, 0x54, 0xff}, color.NRGBA{0x47, 0x2d, 0x7b, 0xff}, color.NRGBA{0x3b, 0x52, 0x8b, 0xff},
	color.NRGBA{0x2c, 0x72, 0x8e, 0xff}, color.NRGBA{0x21, 0x91, 0x8c, 0xff}, color.NRGBA{0x28, 0xae, 0x80, 0xff},
	color.NRGBA{0x5e, 0xc9, 0x62, 0xff}, color.NRGBA{0xad, 0xdc, 0x30, 0xff}, color.NRGBA{0xfd, 0xe7, 0x25, 0xff},
}

// Viridis returns the sequential color map Heatmap and ImageGrid use for
// non-negative data.
func Viridis() palette.ColorMap {
	cm, err := moreland.NewLuminance(viridisControls)
	if err != nil {
		panic(err) // the controls are fixed and valid
	}
	return cm
}

// colorMap returns cm, or the default for data in [lo, hi], spanning
// them (a diverging map is centred on zero).
func colorMap(cm palette.ColorMap, lo, hi float64) palette.ColorMap {
	if cm == nil {
		if lo >= 0 {
			cm = Viridis()
		} else {
			d := moreland.SmoothBlueRed()
			m := math.Max(-lo, hi)
			lo, hi = -m, m
			cm = d
		}
	}
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm
}

// luminance is a color's relative brightness in [0, 1].
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

func round(v float64) float64 {
	if math.IsNaN(v) || math.Abs(v) >= 100 {
		return v
	}
	return math.Round(v*100) / 100
}

// gridOf adapts a labeled matrix to plotter.GridXYZ, row 0 at the top.
type gridOf struct{ m *nmf.Matrix }

func (g gridOf) Dims() (c, r int)   { r, c = g.m.Dims(); return c, r }
func (g gridOf) Z(c, r int) float64 { rows, _ := g.m.Dims(); return g.m.At(rows-1-r, c) }
func (g gridOf) X(c int) float64    { return float64(c) }
func (g gridOf) Y(r int) float64    { return float64(r) }

// Convergence draws the loss after each iteration with numbers on both
// axes: on a log scale when it falls by more than a factor of ten, on a
// linear one otherwise, and as the percentage above its final value when
// it changes by less than 5% (so that a tiny drop does not look steep).
func Convergence(m *nmf.Model, opts ...Option) (*Figure, error) {
	if m == nil {
		return nil, errNilModel
	}
	if len(m.History) == 0 {
		return nil, errors.New("viz: Convergence: the model has no loss history")
	}
	c := newConfig(opts)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range m.History {
		if v > 0 && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1e-12, 1e-12
	}
	final := m.History[len(m.History)-1]
	p := newPlot(fmt.Sprintf("Convergence (%v, %v loss)", m.Options.Solver, m.Options.Loss))
	p.X.Label.Text = "iteration"
	p.X.Tick.Marker = integerTicks{}
	xys := make(plotter.XYs, len(m.History))
	switch {
	case hi/lo > 10:
		for i, v := range m.History {
			xys[i] = plotter.XY{X: float64(i + 1), Y: math.Max(v, lo)}
		}
		p.Y.Label.Text = "loss (log scale)"
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	case final > 0 && (hi-lo)/final < 0.05:
		for i, v := range m.History {
			xys[i] = plotter.XY{X: float64(i + 1), Y: 100 * (v/final - 1)}
		}
		p.Y.Label.Text = fmt.Sprintf("%% above the final loss %s", table.FormatFloat(final))
		p.Y.Tick.Marker = percentTicks{}
	default:
		for i, v := range m.History {
			xys[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		p.Y.Label.Text = "loss"
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, fmt.Errorf("viz: Convergence: %w", err)
	}
	line.Color = SegmentColor(0)
	line.Width = vg.Points(2)
	p.Add(line, plotter.NewGrid())
	return c.figure([]*plot.Plot{p}, 1, DefaultWidth, DefaultHeight), nil
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten in its
// range (every integer multiple when fewer than three fall in it), so a
// range within one decade still gets numbers.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	collect := func(mults []float64) []plot.Tick {
		var ticks []plot.Tick
		for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
			for _, m := range mults {
				v := m * math.Pow(10, e)
				if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
					ticks = append(ticks, plot.Tick{Value: v, Label: table.FormatFloat(v)})
				}
			}
		}
		return ticks
	}
	ticks := collect([]float64{1, 2, 5})
	if len(ticks) < 3 {
		ticks = collect([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	}
	if len(ticks) < 2 {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// percentTicks are the default ticks labeled with a percent sign.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label += "%"
		}
	}
	return ticks
}

// RankScan draws the relative error against the rank, and the cophenetic
// correlation beside it when the scan has one.
func RankScan(scan *nmf.RankScan, opts ...Option) (*Figure, error) {
	if scan == nil || len(scan.Ranks) == 0 {
		return nil, errors.New("viz: RankScan of an empty scan")
	}
	c := newConfig(opts)
	var errs, coph plotter.XYs
	for _, r := range scan.Ranks {
		errs = append(errs, plotter.XY{X: float64(r.K), Y: r.RelErr})
		if !math.IsNaN(r.Cophenetic) {
			coph = append(coph, plotter.XY{X: float64(r.K), Y: r.Cophenetic})
		}
	}
	panel := func(title, ylabel string, xys plotter.XYs, color int) (*plot.Plot, error) {
		p := newPlot(title)
		p.X.Label.Text = "rank k"
		p.Y.Label.Text = ylabel
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("viz: RankScan: %w", err)
		}
		line.Color, points.Color = SegmentColor(color), SegmentColor(color)
		line.Width = vg.Points(2)
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points, plotter.NewGrid())
		p.X.Tick.Marker = integerTicks{}
		return p, nil
	}
	p, err := panel("Relative error by rank", "‖V − WH‖ / ‖V‖", errs, 0)
	if err != nil {
		return nil, err
	}
	plots := []*plot.Plot{p}
	if len(coph) > 0 {
		q, err := panel("Stability by rank", "cophenetic correlation", coph, 1)
		if err != nil {
			return nil, err
		}
		plots = append(plots, q)
	}
	return c.figure(plots, 2, DefaultWidth*vg.Length(len(plots))/1.5, DefaultHeight*0.8), nil
}

// integerTicks marks whole numbers only.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	step := math.Max(1, math.Ceil((max-min)/10))
	for v := math.Ceil(min); v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return ticks
}

// Scores draws a recommendation or target list as horizontal bars, best
// at the top; cells already known are drawn in gray.
func Scores(scores nmf.Scores, title string, opts ...Option) (*Figure, error) {
	if len(scores) == 0 {
		return nil, errors.New("viz: Scores of an empty list")
	}
	c := newConfig(opts)
	p := newPlot(title)
	p.X.Label.Text = "score (W·H)"
	p.Add(plotter.NewGrid())
	n := len(scores)
	labels := make([]string, n)
	fresh, known := make(plotter.Values, n), make(plotter.Values, n)
	for i, s := range scores {
		r := n - 1 - i
		labels[r] = s.Label
		if s.Known {
			known[r] = s.Value
		} else {
			fresh[r] = s.Value
		}
	}
	w := barWidth(n)
	anyKnown, anyNew, top := false, false, 0.0
	for _, s := range scores {
		anyKnown = anyKnown || s.Known
		anyNew = anyNew || !s.Known
		top = math.Max(top, s.Value)
	}
	for _, part := range []struct {
		v     plotter.Values
		color color.Color
		name  string
		shown bool
	}{{fresh, SegmentColor(0), "new", anyNew}, {known, color.Gray{Y: 170}, "already known", anyKnown}} {
		if !part.shown {
			continue
		}
		bars, err := plotter.NewBarChart(part.v, w)
		if err != nil {
			return nil, fmt.Errorf("viz: Scores: %w", err)
		}
		bars.Horizontal = true
		bars.Color = part.color
		bars.LineStyle.Width = 0
		p.Add(bars)
		if anyKnown && anyNew {
			p.Legend.Add(part.name, bars)
		}
	}
	// The legend (only when the list mixes new and known cells) sits in a
	// margin kept free of bars on the right.
	if anyKnown && anyNew && top > 0 {
		p.X.Min = math.Min(0, p.X.Min)
		p.X.Max = top / 0.65
		p.Legend.Top = true
		p.Legend.Left = false
	}
	p.NominalY(labels...)
	height := vg.Length(math.Max(3, math.Min(12, 1.2+float64(n)*0.3))) * vg.Inch
	f := c.figure([]*plot.Plot{p}, 1, 6*vg.Inch, height)
	if c.interactive {
		f.chart = scoresChart(scores, title)
	}
	return f, nil
}
