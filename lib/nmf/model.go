package nmf

import (
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/lib/display/table"
)

// Model is a fitted factorization V ≈ W·H.
type Model struct {
	// W (rows×k) holds each item's weight in each segment: its columns
	// define the segments. Its rows are labeled like V's, its columns by
	// segment names (S1…Sk until NameSegments).
	W *Matrix
	// H (k×cols) holds each person's membership in each segment.
	H *Matrix
	// Iterations is the number of iterations run.
	Iterations int
	// Converged reports whether the stopping rule ended the fit before
	// MaxIter.
	Converged bool
	// Loss is the final value of the loss over observed cells: ½‖V−WH‖²
	// for Frobenius (scikit-learn's _beta_divergence), the divergence
	// itself for the others. Regularization terms are not included.
	Loss float64
	// RelErr is ‖V−WH‖_F / ‖V‖_F over the observed cells.
	RelErr float64
	// History is the loss after each iteration.
	History []float64
	// Biases are the additive terms of a biased model (Options.Biased): the
	// prediction for a cell is then Mean + Row[row] + Col[col] + (W·H)[row,
	// col]. Nil otherwise.
	Biases *Biases
	// Options are the options the fit ran with, defaults applied (Init is
	// the one actually used, AlphaW and AlphaH the strengths used).
	Options Options
	// Warnings say what makes the model doubtful: a fit stopped by MaxIter
	// before its stopping rule, predictions far outside the range of the
	// observed values, as many components as rows or columns. The
	// notebook display shows them.
	Warnings []string

	// v is the training matrix (not a copy), which Recommend, Targets and
	// their Known flags read; ReleaseData lets it go.
	v *Matrix
}

// ReleaseData drops the model's reference to the matrix it was fitted on,
// which a model otherwise keeps alive for as long as it lives (to tell
// known cells from new ones). Afterwards no cell counts as known:
// ExcludeKnown excludes nothing and Scores' Known flags are false.
func (m *Model) ReleaseData() { m.v = nil }

// Components returns k, the number of segments.
func (m *Model) Components() int { _, k := m.W.Dims(); return k }

// SegmentNames returns the segments' names, in order.
func (m *Model) SegmentNames() []string { return m.W.ColLabels() }

// ReconstructionErr returns scikit-learn's reconstruction_err_ for the
// fit: sqrt(2·Loss), which is ‖V−WH‖_F for the Frobenius loss.
func (m *Model) ReconstructionErr() float64 { return errorOf(m.Loss) }

// String summarizes the fit and lists each segment's leading items.
func (m *Model) String() string {
	var b strings.Builder
	b.WriteString(m.summary() + "\n")
	for _, s := range m.Segments(5) {
		b.WriteString(s.String() + "\n")
	}
	return b.String()
}

// HTML shows the summary and W as a table, for notebook display.
func (m *Model) HTML() string {
	t := m.W.table()
	t.Caption = "W: item weights per segment"
	return "<p>" + strings.ReplaceAll(html.EscapeString(m.summary()), "\n", "<br>") + "</p>" + t.HTML()
}

func (m *Model) summary() string {
	r, _ := m.W.Dims()
	_, c := m.H.Dims()
	state := "converged"
	if !m.Converged {
		state = "stopped at MaxIter"
	}
	form := "W·H"
	if m.biased() {
		form = "mean + row bias + column bias + W·H"
	}
	text := fmt.Sprintf("NMF model: %d×%d ≈ %s with %d segments (%v, %v loss); %d iterations, %s; relative error %s",
		r, c, form, m.Components(), m.Options.Solver, m.Options.Loss, m.Iterations, state, FormatValue(m.RelErr))
	for _, w := range m.Warnings {
		text += "\nwarning: " + w
	}
	return text
}

// NameSegments renames the segments, in order, in both W and H. There must
// be one distinct name per segment.
func (m *Model) NameSegments(names ...string) error {
	if len(names) != m.Components() {
		return fmt.Errorf("nmf: NameSegments got %d names for %d segments: %w", len(names), m.Components(), ErrShape)
	}
	w, err := m.W.Rename(nil, names)
	if err != nil {
		return err
	}
	h, err := m.H.Rename(names, nil)
	if err != nil {
		return err
	}
	m.W, m.H = w, h
	return nil
}

// NameSegmentsByTop names every segment after its top items in W, the
// first n of them joined by "+" ("Bread+Butter" for n = 2), so that naming
// never depends on the order a fit put the segments in. When two segments
// would get the same name, their next items are added until the names
// differ. It returns the names given.
func (m *Model) NameSegmentsByTop(n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("nmf: NameSegmentsByTop needs n ≥ 1, got %d: %w", n, ErrOption)
	}
	segs := m.Segments(0)
	depth := make([]int, len(segs))
	for i := range depth {
		depth[i] = min(n, len(segs[i].Items))
	}
	name := func(i int) string {
		parts := make([]string, depth[i])
		for j := range parts {
			parts[j] = segs[i].Items[j].Label
		}
		if len(parts) == 0 {
			return fmt.Sprintf("segment %d", i+1)
		}
		return strings.Join(parts, "+")
	}
	for {
		names := make([]string, len(segs))
		byName := map[string][]int{}
		for i := range segs {
			names[i] = name(i)
			byName[names[i]] = append(byName[names[i]], i)
		}
		clash := false
		for _, idx := range byName {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				if depth[i] < len(segs[i].Items) {
					depth[i]++
					clash = true
				}
			}
		}
		if !clash {
			// Names that still clash (segments with the same items) get
			// their number.
			for nm, idx := range byName {
				if len(idx) > 1 {
					for _, i := range idx {
						names[i] = fmt.Sprintf("%s (%d)", nm, i+1)
					}
				}
			}
			return names, m.NameSegments(names...)
		}
	}
}

// Reconstruct returns W·H (plus the biases of a biased model), labeled like
// V: the model's value for every cell, including the missing ones.
func (m *Model) Reconstruct() *Matrix {
	var wh mat.Dense
	wh.Mul(m.W.data, m.H.data)
	if m.biased() {
		m.Biases.addTo(&wh)
	}
	return mustMatrix(m.W.rows, m.H.cols, &wh)
}

// Predict returns the model's value for one cell, by labels.
func (m *Model) Predict(row, col string) (float64, error) {
	i, err := m.rowIndex(row)
	if err != nil {
		return 0, err
	}
	j, err := m.colIndex(col)
	if err != nil {
		return 0, err
	}
	return m.cell(i, j), nil
}

func (m *Model) cell(i, j int) float64 {
	v := mat.Dot(m.W.data.RowView(i), m.H.data.ColView(j))
	if m.biased() {
		v += m.Biases.Mean + m.Biases.Row[i] + m.Biases.Col[j]
	}
	return v
}

func (m *Model) biased() bool { return m.Biases != nil }

// rowIndex finds a row of V (an item) by label; a label that is one of
// V's columns instead gets an error that says the matrix is the other way
// round from what the call assumes.
func (m *Model) rowIndex(label string) (int, error) {
	i, err := m.W.rowIndex(label)
	if err != nil {
		if _, ok := m.H.colIdx[label]; ok {
			return 0, fmt.Errorf("nmf: no row %q: %q is a column here (the model's rows are %s; columns %s), see Transpose: %w",
				label, label, labelList(m.W.rows), labelList(m.H.cols), ErrUnknownLabel)
		}
	}
	return i, err
}

// colIndex finds a column of V (a person) by label, as rowIndex does.
func (m *Model) colIndex(label string) (int, error) {
	j, err := m.H.colIndex(label)
	if err != nil {
		if _, ok := m.W.rowIdx[label]; ok {
			return 0, fmt.Errorf("nmf: no column %q: %q is a row here (the model's columns are %s; rows %s); Fit takes the matrix as it is, see Transpose: %w",
				label, label, labelList(m.H.cols), labelList(m.W.rows), ErrUnknownLabel)
		}
	}
	return j, err
}

// Score is one entry of a ranking: a label, the model's value W·H for it
// and whether the cell is known, that is present in V and not zero (a
// product already bought, a film already rated).
type Score struct {
	Label string
	Value float64
	Known bool
}

// Scores is a ranking, best first.
type Scores []Score

// Labels returns the labels in order.
func (s Scores) Labels() []string {
	l := make([]string, len(s))
	for i, x := range s {
		l[i] = x.Label
	}
	return l
}

// String formats the ranking as a numbered text table.
func (s Scores) String() string { return s.table().Text() }

// HTML formats the ranking as an HTML table, for notebook display.
func (s Scores) HTML() string { return s.table().HTML() }

func (s Scores) table() *table.Table {
	t := &table.Table{Corner: "#", Header: []string{"label", "score", "known"}}
	for i, x := range s {
		known := ""
		if x.Known {
			known = "yes"
		}
		t.RowLabels = append(t.RowLabels, fmt.Sprint(i+1))
		t.Cells = append(t.Cells, []string{x.Label, FormatValue(x.Value), known})
	}
	return t
}

// RankOption changes what Recommend and Targets return.
type RankOption func(*rankConfig)

type rankConfig struct{ excludeKnown bool }

// ExcludeKnown leaves out cells that are already known (present in V and
// not zero): a recommendation then lists only what the person does not
// have yet, a target list only people who do not buy the item yet.
func ExcludeKnown() RankOption { return func(c *rankConfig) { c.excludeKnown = true } }

// Recommend returns the n items (rows) with the highest W·H value for the
// person (column) col, best first; n ≤ 0 or more than there are means all.
func (m *Model) Recommend(col string, n int, opts ...RankOption) (Scores, error) {
	j, err := m.colIndex(col)
	if err != nil {
		return nil, err
	}
	var pred mat.VecDense
	pred.MulVec(m.W.data, m.H.data.ColView(j))
	if m.biased() {
		b := m.Biases
		for i, bi := range b.Row {
			pred.SetVec(i, pred.AtVec(i)+b.Mean+bi+b.Col[j])
		}
	}
	known := func(i int) bool { return m.known(i, j) }
	return rank(m.W.rows, pred.RawVector().Data, known, n, opts), nil
}

// Targets returns the n people (columns) with the highest W·H value for the
// item (row) row, best first: the audience of a campaign for that item.
func (m *Model) Targets(row string, n int, opts ...RankOption) (Scores, error) {
	i, err := m.rowIndex(row)
	if err != nil {
		return nil, err
	}
	var pred mat.VecDense
	pred.MulVec(m.H.data.T(), m.W.data.RowView(i))
	if m.biased() {
		b := m.Biases
		for j, bj := range b.Col {
			pred.SetVec(j, pred.AtVec(j)+b.Mean+b.Row[i]+bj)
		}
	}
	known := func(j int) bool { return m.known(i, j) }
	return rank(m.H.cols, pred.RawVector().Data, known, n, opts), nil
}

func (m *Model) known(i, j int) bool {
	if m.v == nil {
		return false
	}
	x := m.v.At(i, j)
	return !math.IsNaN(x) && x != 0
}

func rank(labels []string, values []float64, known func(int) bool, n int, opts []RankOption) Scores {
	var cfg rankConfig
	for _, o := range opts {
		o(&cfg)
	}
	s := make(Scores, 0, len(labels))
	for i, l := range labels {
		k := known(i)
		if cfg.excludeKnown && k {
			continue
		}
		s = append(s, Score{Label: l, Value: values[i], Known: k})
	}
	slices.SortStableFunc(s, func(a, b Score) int {
		switch {
		case a.Value > b.Value:
			return -1
		case a.Value < b.Value:
			return 1
		}
		return 0
	})
	if n > 0 && n < len(s) {
		s = s[:n]
	}
	return s
}

// Segment is one column of W: a segment's name and its items by weight.
type Segment struct {
	Name  string
	Items Scores
}

// String lists the segment's items with their weights.
func (s Segment) String() string {
	parts := make([]string, len(s.Items))
	for i, x := range s.Items {
		parts[i] = fmt.Sprintf("%s %s", x.Label, FormatValue(x.Value))
	}
	return s.Name + ": " + strings.Join(parts, ", ")
}

// Segments returns, for each segment, its top items by weight in W (all
// items when top ≤ 0), items of zero weight left out.
func (m *Model) Segments(top int) []Segment {
	r, k := m.W.Dims()
	out := make([]Segment, k)
	col := make([]float64, r)
	for t := 0; t < k; t++ {
		mat.Col(col, t, m.W.data)
		items := rank(m.W.rows, col, func(int) bool { return false }, top, nil)
		for len(items) > 0 && items[len(items)-1].Value == 0 {
			items = items[:len(items)-1]
		}
		out[t] = Segment{Name: m.W.cols[t], Items: items}
	}
	return out
}

// Membership returns H with every column scaled to sum to 1: each person's
// share in each segment. A person with no membership at all keeps zeros.
func (m *Model) Membership() *Matrix {
	h := mat.DenseCopyOf(m.H.data)
	k, c := h.Dims()
	for j := 0; j < c; j++ {
		sum := 0.0
		for t := 0; t < k; t++ {
			sum += h.At(t, j)
		}
		if sum == 0 {
			continue
		}
		for t := 0; t < k; t++ {
			h.Set(t, j, h.At(t, j)/sum)
		}
	}
	return mustMatrix(m.H.rows, m.H.cols, h)
}

// Transform returns H for new people: the memberships (k×n) that best
// explain newCols (rows×n, with the model's row labels in any order;
// missing cells allowed) with W fixed, by the model's solver and loss.
func (m *Model) Transform(newCols *Matrix) (*Matrix, error) {
	return m.TransformContext(context.Background(), newCols)
}

// TransformContext is Transform with a context that can cancel it.
func (m *Model) TransformContext(ctx context.Context, newCols *Matrix) (h *Matrix, err error) {
	defer recoverError(&err)
	if newCols == nil {
		return nil, fmt.Errorf("nmf: Transform of nil matrix: %w", ErrEmpty)
	}
	if m.biased() {
		return nil, fmt.Errorf("nmf: Transform of a biased model would need the new columns' biases too; fit the model with the new columns included: %w", ErrOption)
	}
	r, _ := m.W.Dims()
	nr, nc := newCols.Dims()
	if nr != r {
		return nil, fmt.Errorf("nmf: Transform: new data has %d rows, the model %d: %w", nr, r, ErrShape)
	}
	data := mat.NewDense(r, nc, nil)
	for i, label := range m.W.rows {
		src, ok := newCols.rowIdx[label]
		if !ok {
			return nil, fmt.Errorf("nmf: Transform: new data has no row %q: %w", label, ErrUnknownLabel)
		}
		newCols.row(data.RawRowView(i), src)
	}
	aligned := mustMatrix(m.W.rows, newCols.cols, data)
	p, err := newProblem(aligned)
	if err != nil {
		return nil, err
	}
	opt := m.Options
	k := m.Components()
	s, err := Options{Components: k, Solver: opt.Solver, Loss: opt.Loss, Tol: opt.Tol, MaxIter: opt.MaxIter,
		AlphaH: opt.AlphaH, L1Ratio: opt.L1Ratio, Seed: opt.Seed}.resolve(r, nc)
	if err != nil {
		return nil, err
	}
	// Start as scikit-learn's transform does: zeros for CD, a constant for MU.
	ht := mat.NewDense(nc, k, nil)
	if s.Solver == SolverMU {
		avg := math.Sqrt(p.mean() / float64(k))
		for j := 0; j < nc; j++ {
			for t := 0; t < k; t++ {
				ht.Set(j, t, avg)
			}
		}
	}
	w := mat.DenseCopyOf(m.W.data)
	if _, err := solve(ctx, p, w, ht, s, false); err != nil {
		return nil, err
	}
	return mustMatrix(m.H.rows, newCols.cols, mat.DenseCopyOf(ht.T())), nil
}
