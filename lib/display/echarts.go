package display

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
)

// echartsJS is Apache ECharts (see echarts/README.md), embedded so that
// charts need no network.
//
//go:embed echarts/echarts.min.js
var echartsJS string

const echartsVersion = "5.6.0"

// echartsSent records that this process has shown a chart carrying the
// library: later charts use the one it defined (outputs render in order,
// so a saved notebook's first chart defines it for the rest).
var echartsSent atomic.Bool

// Chart is what go-echarts charts (charts.Bar, charts.Line, charts.HeatMap,
// …) have, which Render shows as interactive charts: their option object
// for ECharts.
type Chart interface {
	Validate()
	JSON() map[string]interface{}
}

// ChartHTML is the HTML of an interactive ECharts chart for option (an
// ECharts option object, as go-echarts' JSON gives it), at height pixels
// high and the output's width. fallbackPNG, if not nil, shows where
// scripts do not run (an untrusted notebook, a static viewer); the chart
// replaces it. The first chart of a process carries the ECharts library.
func ChartHTML(option any, height int, fallbackPNG []byte) (string, error) {
	opt, err := json.Marshal(option)
	if err != nil {
		return "", fmt.Errorf("display: chart option: %w", err)
	}
	if height <= 0 {
		height = 420
	}
	sum := sha256.Sum256(opt)
	id := "nmfkernel-chart-" + hex.EncodeToString(sum[:8])
	var b bytes.Buffer
	fmt.Fprintf(&b, `<div id="%s" class="nmfkernel-chart" style="width:100%%;max-width:960px;height:%dpx">`, id, height)
	if fallbackPNG != nil {
		fmt.Fprintf(&b, `<img alt="chart (interactive in a trusted notebook)" style="max-height:%dpx" src="data:image/png;base64,%s">`, height, base64.StdEncoding.EncodeToString(fallbackPNG))
	}
	b.WriteString("</div>\n<script>\n(function () {\n")
	if !echartsSent.Swap(true) {
		fmt.Fprintf(&b, "if (!window.echarts) {\n/* Apache ECharts %s, Apache License 2.0 */\n%s\n}\n", echartsVersion, strings.ReplaceAll(echartsJS, "</script", `<\/script`))
	}
	fmt.Fprintf(&b, `var el = document.getElementById(%q);
if (!el || !window.echarts) { if (el && !el.firstChild) el.textContent = "Run the notebook's first chart cell again to load the chart library."; return; }
el.replaceChildren();
var chart = echarts.init(el);
chart.setOption(%s);
if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
})();
</script>
`, id, opt)
	return b.String(), nil
}

// chartBundle is the bundle of a go-echarts chart.
func chartBundle(c Chart) (Bundle, error) {
	c.Validate()
	html, err := ChartHTML(c.JSON(), 0, nil)
	if err != nil {
		return nil, err
	}
	title := "chart"
	if t, ok := c.JSON()["title"].(map[string]interface{}); ok {
		if s, _ := t["text"].(string); s != "" {
			title = s
		}
	}
	return Bundle{MIMEHTML: html, MIMEText: fmt.Sprintf("<interactive chart: %s>", title)}, nil
}
