package viz

import (
	"fmt"
	"image/color"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"nmfkernel/lib/display"
	"nmfkernel/lib/nmf"
)

// Interactive makes a helper's figure also an interactive chart (Apache
// ECharts, built with go-echarts): hover for values, zoom, toggle series
// in the legend. In a trusted notebook the chart shows; elsewhere, and in
// Save and PNG, the figure's picture. The chart library travels with the
// first chart a kernel shows, so nothing is fetched from the network.
func Interactive() Option { return func(c *config) { c.interactive = true } }

// hexColor writes a color as #rrggbb for ECharts.
func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// chartTitle and the other common options of the helpers' charts.
func chartBase(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "2%", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: "save as PNG"},
			DataZoom:    &opts.ToolBoxFeatureDataZoom{Show: opts.Bool(true), Title: map[string]string{"zoom": "zoom", "back": "undo zoom"}},
			Restore:     &opts.ToolBoxFeatureRestore{Show: opts.Bool(true), Title: "reset"},
		}}),
		charts.WithAnimation(false),
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// segmentWeightsChart: the items on the y axis, one bar series per
// segment (toggled in the legend).
func segmentWeightsChart(m *nmf.Model, title string) display.Chart {
	bar := charts.NewBar()
	items, k := m.W.Dims()
	labels := m.W.RowLabels()
	// First item at the top.
	ys := make([]string, items)
	for i := range ys {
		ys[i] = labels[items-1-i]
	}
	if title == "" {
		title = "Segment weights (W)"
	}
	bar.SetGlobalOptions(append(chartBase(title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "28"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "weight"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys}),
		charts.WithGridOpts(opts.Grid{Top: "70", Left: "12%"}),
	)...)
	names := m.SegmentNames()
	for t := 0; t < k; t++ {
		data := make([]opts.BarData, items)
		for i := range data {
			data[i] = opts.BarData{Value: round4(m.W.At(items-1-i, t))}
		}
		bar.AddSeries(names[t], data, charts.WithItemStyleOpts(opts.ItemStyle{Color: hexColor(SegmentColor(t))}))
	}
	return bar
}

// membershipChart: one stacked bar per person, a series per segment,
// with a zoom slider for many people.
func membershipChart(m *nmf.Model, title string) display.Chart {
	bar := charts.NewBar()
	memb := m.Membership()
	k, people := memb.Dims()
	if title == "" {
		title = "Segment membership"
	}
	g := append(chartBase(title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "28"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "share", Max: 1}),
		charts.WithGridOpts(opts.Grid{Top: "70"}),
	)
	if people > 20 {
		g = append(g, charts.WithDataZoomOpts(opts.DataZoom{Type: "slider", Start: 0, End: float32(math.Min(100, 2000/float64(people)))}, opts.DataZoom{Type: "inside"}))
	}
	bar.SetGlobalOptions(g...)
	bar.SetXAxis(memb.ColLabels())
	names := m.SegmentNames()
	for t := 0; t < k; t++ {
		data := make([]opts.BarData, people)
		for j := range data {
			data[j] = opts.BarData{Value: round4(memb.At(t, j))}
		}
		bar.AddSeries(names[t], data, charts.WithBarChartOpts(opts.BarChart{Stack: "share"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: hexColor(SegmentColor(t))}))
	}
	return bar
}

// heatmapChart: the matrix's cells colored by value, a color scale to
// filter by, missing cells left out.
func heatmapChart(M *nmf.Matrix, title string) display.Chart {
	hm := charts.NewHeatMap()
	rows, cols := M.Dims()
	rl, cl := M.RowLabels(), M.ColLabels()
	ys := make([]string, rows)
	for i := range ys {
		ys[i] = rl[rows-1-i]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var data []opts.HeatMapData
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			v := M.At(i, j)
			if math.IsNaN(v) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			data = append(data, opts.HeatMapData{Value: [3]any{j, rows - 1 - i, round4(v)}})
		}
	}
	if len(data) == 0 {
		lo, hi = 0, 1
	}
	stops := make([]string, 0, 9)
	cm := Viridis()
	cm.SetMin(0)
	cm.SetMax(1)
	for s := 0; s <= 8; s++ {
		c, err := cm.At(float64(s) / 8)
		if err == nil {
			stops = append(stops, hexColor(c))
		}
	}
	if title == "" {
		title = "Heatmap"
	}
	base := chartBase(title)
	base[1] = charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"})
	hm.SetGlobalOptions(append(base,
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: cl, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(lo), Max: float32(hi), Orient: "horizontal", Left: "center", Bottom: "2%",
			InRange: &opts.VisualMapInRange{Color: stops}}),
		charts.WithGridOpts(opts.Grid{Top: "50", Bottom: "90", Left: "12%"}),
	)...)
	hm.AddSeries("value", data)
	return hm
}

// scoresChart: the scores as horizontal bars, best at the top, known
// cells in grey.
func scoresChart(scores nmf.Scores, title string) display.Chart {
	bar := charts.NewBar()
	n := len(scores)
	labels := make([]string, n)
	data := make([]opts.BarData, n)
	for i, s := range scores {
		r := n - 1 - i
		labels[r] = s.Label
		c := hexColor(SegmentColor(0))
		if s.Known {
			c = "#9e9e9e"
		}
		data[r] = opts.BarData{Value: round4(s.Value), ItemStyle: &opts.ItemStyle{Color: c}}
	}
	bar.SetGlobalOptions(append(chartBase(title),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "score (W·H)"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: labels}),
		charts.WithGridOpts(opts.Grid{Top: "50", Left: "15%"}),
	)...)
	bar.AddSeries("score", data)
	return bar
}
