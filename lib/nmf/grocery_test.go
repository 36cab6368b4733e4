package nmf

import (
	"slices"
	"testing"
)

// fitGrocery fits the seed article's purchases table as the article does:
// 3 components, NNDSVD initialization, coordinate descent.
func fitGrocery(t *testing.T) *Model {
	t.Helper()
	V, err := ReadCSV("testdata/grocery.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Fit(V, Options{Components: 3, Init: InitNNDSVD, Solver: SolverCD, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// segmentLedBy returns the index of the segment whose heaviest item is item.
func segmentLedBy(t *testing.T, m *Model, item string) int {
	t.Helper()
	for i, s := range m.Segments(0) {
		if len(s.Items) > 0 && s.Items[0].Label == item {
			return i
		}
	}
	t.Fatalf("no segment is led by %s: %v", item, m.Segments(0))
	return -1
}

func share(s Segment, items ...string) float64 {
	total, part := 0.0, 0.0
	for _, x := range s.Items {
		total += x.Value
		if slices.Contains(items, x.Label) {
			part += x.Value
		}
	}
	return part / total
}

func TestGroceryArticle(t *testing.T) {
	m := fitGrocery(t)
	bread := segmentLedBy(t, m, "Bread")
	fruit := segmentLedBy(t, m, "Fruits")
	veg := segmentLedBy(t, m, "Vegetables")
	if bread == fruit || bread == veg || fruit == veg {
		t.Fatalf("segments are not distinct: bread %d, fruit %d, veg %d", bread, fruit, veg)
	}
	names := make([]string, 3)
	names[bread], names[fruit], names[veg] = "Bread eaters", "Fruit pickers", "Veggies"
	if err := m.NameSegments(names...); err != nil {
		t.Fatal(err)
	}
	segs := m.Segments(0)

	t.Run("bread eaters are almost entirely bread", func(t *testing.T) {
		if s := share(segs[bread], "Bread"); s < 0.9 {
			t.Errorf("Bread is %.0f%% of the Bread eaters segment: %v", 100*s, segs[bread])
		}
	})
	t.Run("fruit pickers are fruits and sweets", func(t *testing.T) {
		top := segs[fruit].Items.Labels()[:2]
		if !slices.Equal(top, []string{"Fruits", "Sweets"}) || share(segs[fruit], "Fruits", "Sweets") < 0.9 {
			t.Errorf("Fruit pickers: %v", segs[fruit])
		}
	})
	t.Run("the vegetables segment is mixed", func(t *testing.T) {
		if n := len(segs[veg].Items); n < 3 {
			t.Errorf("the Vegetables-led segment has %d items: %v", n, segs[veg])
		}
	})
	t.Run("coffee weighs only in the vegetables segment", func(t *testing.T) {
		w, _ := m.W.Row("Coffee")
		for s, x := range w {
			if (s == veg) != (x > 1e-9) {
				t.Errorf("Coffee weight %g in %s", x, segs[s].Name)
			}
		}
	})
	t.Run("bread weighs in bread eaters and vegetables, more in bread eaters", func(t *testing.T) {
		w, _ := m.W.Row("Bread")
		if !(w[bread] > w[veg] && w[veg] > 0 && w[fruit] < 1e-9) {
			t.Errorf("Bread weights %v (bread eaters %d, veggies %d)", w, bread, veg)
		}
	})
	memb := m.Membership()
	t.Run("John belongs to one segment alone", func(t *testing.T) {
		c, _ := memb.Col("John")
		if slices.Max(c) < 0.999 {
			t.Errorf("John's membership %v", c)
		}
	})
	t.Run("Peter belongs to all three", func(t *testing.T) {
		c, _ := memb.Col("Peter")
		if slices.Min(c) < 0.01 {
			t.Errorf("Peter's membership %v", c)
		}
	})
	for _, tc := range []struct {
		person string
		want   []string
	}{
		{"Mary", []string{"Bread", "Fruits", "Sweets"}},
		{"Alice", []string{"Fruits", "Bread", "Sweets", "Vegetables", "Coffee"}},
	} {
		t.Run(tc.person+"'s ranking", func(t *testing.T) {
			s, err := m.Recommend(tc.person, len(tc.want))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Labels(); !slices.Equal(got, tc.want) {
				t.Errorf("ranking %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("coffee campaign targets", func(t *testing.T) {
		s, err := m.Targets("Coffee", 4)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Labels(), []string{"Peter", "Jennifer", "Alice", "Greg"}; !slices.Equal(got, want) {
			t.Errorf("targets %v, want %v", got, want)
		}
		if !s[0].Known || s[1].Known {
			t.Errorf("Peter already buys coffee, Jennifer does not: %v", s)
		}
	})
	t.Run("excluding what people have", func(t *testing.T) {
		s, _ := m.Recommend("Alice", 0, ExcludeKnown())
		if got := s.Labels(); !slices.Equal(got, []string{"Coffee"}) {
			t.Errorf("Alice has everything but Coffee; got %v", got)
		}
		s, _ = m.Targets("Coffee", 3, ExcludeKnown())
		if got := s.Labels(); !slices.Equal(got, []string{"Jennifer", "Alice", "Greg"}) {
			t.Errorf("coffee targets not yet buying: %v", got)
		}
	})
}

// TestGroceryDefaults: with the default (accelerated) solver the article's
// conclusions hold: the same error, the same three segments by their top
// items, Mary's recommendations, Alice's offer and the coffee campaign.
func TestGroceryDefaults(t *testing.T) {
	exact := fitGrocery(t)
	V, _ := ReadCSV("testdata/grocery.csv")
	fast, err := Fit(V, Options{Components: 3, Init: InitNNDSVD})
	if err != nil {
		t.Fatal(err)
	}
	if d := fast.RelErr - exact.RelErr; d > 1e-3 {
		t.Errorf("default RelErr %.5f, exact %.5f", fast.RelErr, exact.RelErr)
	}
	names, err := fast.NameSegmentsByTop(1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"Bread", "Fruits", "Vegetables"}) {
		t.Errorf("segments led by %v", names)
	}
	for _, m := range []*Model{exact, fast} {
		mary, _ := m.Recommend("Mary", 3)
		alice, _ := m.Recommend("Alice", 1, ExcludeKnown())
		coffee, _ := m.Targets("Coffee", 4)
		if got := [3][]string{mary.Labels(), alice.Labels(), coffee.Labels()}; !slices.Equal(got[0], []string{"Bread", "Fruits", "Sweets"}) ||
			!slices.Equal(got[1], []string{"Coffee"}) || !slices.Equal(got[2], []string{"Peter", "Jennifer", "Alice", "Greg"}) {
			t.Errorf("Exact %v: Mary %v, Alice %v, coffee %v", m.Options.Exact, got[0], got[1], got[2])
		}
	}
}
