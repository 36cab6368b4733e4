package viz_test

import (
	"fmt"
	"os"
	"path/filepath"

	"nmfkernel/lib/nmf"
	"nmfkernel/lib/viz"
)

func grocery() (*nmf.Matrix, *nmf.Model) {
	V, _ := nmf.ReadCSV("../nmf/testdata/grocery.csv")
	m, _ := nmf.Fit(V, nmf.Options{Components: 3, Init: nmf.InitNNDSVD})
	m.NameSegments("Fruit pickers", "Bread eaters", "Veggies")
	return V, m
}

func ExampleSegmentWeights() {
	_, m := grocery()
	fig, err := viz.SegmentWeights(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	path := filepath.Join(os.TempDir(), "segments.png")
	if err := viz.Save(fig, path); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fig)
	// Output: <figure: 3 panel(s)>
}

func ExampleMembership() {
	_, m := grocery()
	fig, _ := viz.Membership(m)
	fmt.Println(fig)
	// Output: <figure: 1 panel(s)>
}

func ExampleHeatmap() {
	V, m := grocery()
	data, _ := viz.Heatmap(V, viz.Title("V: purchases"))
	model, _ := viz.Heatmap(m.Reconstruct(), viz.Title("W·H"))
	both, _ := viz.Grid(2, data, model)
	fmt.Println(both)
	// Output: <figure: 4 panel(s)>
}

func ExampleConvergence() {
	_, m := grocery()
	fig, _ := viz.Convergence(m)
	fmt.Println(fig)
	// Output: <figure: 1 panel(s)>
}

func ExampleRankScan() {
	V, _ := grocery()
	scan, _ := nmf.ScanRanks(V, []int{1, 2, 3, 4}, nmf.ScanOptions{Runs: 4})
	fig, _ := viz.RankScan(scan)
	fmt.Println(fig)
	// Output: <figure: 2 panel(s)>
}

func ExampleScores() {
	_, m := grocery()
	targets, _ := m.Targets("Coffee", 4)
	fig, _ := viz.Scores(targets, "Coffee campaign")
	fmt.Println(fig)
	// Output: <figure: 1 panel(s)>
}
