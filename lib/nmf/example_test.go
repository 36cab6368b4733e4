package nmf_test

import (
	"fmt"
	"strings"

	"nmfkernel/lib/nmf"
)

// The seed article's walk-through: purchases per product category (rows)
// and customer (columns), factorized into three segments.
func Example() {
	V, err := nmf.ParseCSV(strings.NewReader(`,John,Alice,Mary,Greg,Peter,Jennifer
Vegetables,0,1,0,1,2,2
Fruits,2,3,1,1,2,2
Sweets,1,1,1,0,1,1
Bread,0,2,3,4,1,1
Coffee,0,0,0,0,1,0
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := nmf.Fit(V, nmf.Options{Components: 3, Init: nmf.InitNNDSVD})
	if err != nil {
		fmt.Println(err)
		return
	}
	// W's columns define the segments; name each after its top item, which
	// does not depend on the order the fit found them in.
	if _, err := model.NameSegmentsByTop(1); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range model.Segments(3) {
		fmt.Println(s)
	}
	fmt.Printf("relative error %.3f after %d iterations\n", model.RelErr, model.Iterations)

	mary, _ := model.Recommend("Mary", 3)
	fmt.Println("Mary:", mary.Labels())
	alice, _ := model.Recommend("Alice", 1, nmf.ExcludeKnown())
	fmt.Println("offer Alice:", alice.Labels())
	coffee, _ := model.Targets("Coffee", 4)
	fmt.Println("coffee campaign:", coffee.Labels())
	// Output:
	// Fruits: Fruits 2.4471, Sweets 1.2368, Vegetables 0.0036
	// Bread: Bread 2.6961, Fruits 0.5116, Sweets 0.1806
	// Vegetables: Vegetables 2.6852, Bread 0.6033, Coffee 0.5787
	// relative error 0.125 after 48 iterations
	// Mary: [Bread Fruits Sweets]
	// offer Alice: [Coffee]
	// coffee campaign: [Peter Jennifer Alice Greg]
}
