package webapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/engine"
)

// TestWidgetsInIpywidgets checks the widgets a session makes against
// ipywidgets 8's own JavaScript (@jupyter-widgets/html-manager), which
// renders the same models as JupyterLab 4 and Notebook 7: a cell makes
// every kind of control and an Interact, and Chromium must show them from
// their state as Jupyter embeds it.
func TestWidgetsInIpywidgets(t *testing.T) {
	dir, chromium, _ := browserTest(t)
	embed, _ := filepath.Abs(filepath.Join(dir, "node_modules", "@jupyter-widgets", "html-manager", "dist", "embed.js"))
	if _, err := os.Stat(embed); err != nil {
		skipOrFail(t, "skipping: needs @jupyter-widgets/html-manager (cd internal/webapp/testdata/e2e && npm ci)")
	}
	s, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	states := map[string]any{}
	var views []string
	sink := func(ev engine.Event) {
		switch ev := ev.(type) {
		case engine.Comm:
			if ev.Type == "comm_open" {
				st := ev.Data["state"].(map[string]any)
				states[ev.CommID] = map[string]any{"model_name": st["_model_name"], "model_module": st["_model_module"], "model_module_version": st["_model_module_version"], "state": st}
			} else if ev.Type == "comm_msg" {
				for k, v := range ev.Data["state"].(map[string]any) {
					states[ev.CommID].(map[string]any)["state"].(map[string]any)[k] = v
				}
			}
		case engine.Display:
			if v, ok := ev.Bundle["application/vnd.jupyter.widget-view+json"].(map[string]any); ok {
				views = append(views, v["model_id"].(string))
			}
		case engine.ExecuteResult:
			if v, ok := ev.Bundle["application/vnd.jupyter.widget-view+json"].(map[string]any); ok {
				views = append(views, v["model_id"].(string))
			}
		}
	}
	code := `import ("fmt"; "nmfkernel/lib/widgets")
widgets.Interact(func(segments int) { fmt.Println("fit with", segments, "segments") }, widgets.IntSlider(1, 4, 1, 3))
widgets.VBox(widgets.Dropdown([]string{"apples", "pears"}, "pears").Describe("fruit"), widgets.Checkbox(true).Describe("exact"),
	widgets.Text("hello").Describe("note"), widgets.FloatSlider(0, 1, 0.05, 0.25).Describe("alpha"), widgets.Button("Refit"))`
	if res := s.Execute(context.Background(), code, engine.ExecOptions{}, sink); res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, strings.Join(res.Err.Traceback, "\n"))
	}
	if len(views) != 2 {
		t.Fatalf("%d widget views, want 2", len(views))
	}
	stateJSON, _ := json.Marshal(map[string]any{"version_major": 2, "version_minor": 0, "state": states})
	var page strings.Builder
	fmt.Fprintf(&page, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script src=\"file://%s\"></script>\n", embed)
	fmt.Fprintf(&page, "<script type=\"application/vnd.jupyter.widget-state+json\">%s</script></head><body>\n", stateJSON)
	for _, id := range views {
		fmt.Fprintf(&page, "<script type=\"application/vnd.jupyter.widget-view+json\">{\"version_major\": 2, \"version_minor\": 0, \"model_id\": %q}</script>\n", id)
	}
	page.WriteString("</body></html>\n")
	html := filepath.Join(t.TempDir(), "widgets.html")
	os.WriteFile(html, []byte(page.String()), 0o644)
	cmd := exec.Command("node", "ipywidgets.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PAGE="+html, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("chromium:\n%s", out)
	if err != nil || !strings.Contains(string(out), "\nPASS") {
		t.Fatalf("ipywidgets did not render the kernel's widgets: %v", err)
	}
}
