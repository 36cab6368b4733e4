package notebook

import (
	"strings"
	"testing"
)

func TestDiffOutputs(t *testing.T) {
	nb := func(outputs string) *Notebook {
		n, err := Parse([]byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","source":"x","metadata":{},"execution_count":1,"outputs":[` + outputs + `]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	stream := func(text string) string {
		return `{"output_type":"stream","name":"stdout","text":"` + text + `"}`
	}
	progress := `{"output_type":"display_data","metadata":{"nmfkernel/progress":true},"data":{"text/plain":"NMF fit: 12 iterations"}}`
	table := func(cell string) string {
		return `{"output_type":"display_data","metadata":{},"data":{"text/plain":"` + cell + `","text/html":"<td>` + cell + `</td>"}}`
	}
	for _, tc := range []struct {
		name      string
		want, got string
		diff      string // "" for none
	}{
		{"equal", stream("k = 5"), stream("k = 5"), ""},
		{"number differs", stream("recall 0.1402"), stream("recall 0.1403"), "text"},
		{"go duration", stream("fit in 6.386s, then 12ms"), stream("fit in 7.1s, then 840µs"), ""},
		{"compound duration", stream("took 1m2.5s"), stream("took 59.9s"), ""},
		{"seconds with a space", stream("0.39 s"), stream("1.2 s"), ""},
		{"duration in a table", table("1.137s"), table("998ms"), ""},
		{"aligned table with a wider duration", stream("a     1.05  236ms\\nbb    0.87  2.1s"), stream("a      1.05  1.236s\\nbb     0.87  12.1s"), ""},
		{"table value differs", stream("a 1.05 236ms"), stream("a 1.06 236ms"), "text"},
		{"count is not a duration", stream("60 segments"), stream("61 segments"), "text"},
		{"progress only in one run", stream("a") + "," + progress, stream("a"), ""},
		{"progress in both", progress + "," + stream("a"), progress + "," + stream("a"), ""},
		{"missing output", stream("a") + "," + stream("b"), stream("a"), "1 outputs, want 2"},
		{"stream name", stream("a"), strings.Replace(stream("a"), "stdout", "stderr", 1), "stderr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diffs := DiffOutputs(nb(tc.want), nb(tc.got))
			switch {
			case tc.diff == "" && len(diffs) > 0:
				t.Errorf("unexpected differences: %v", diffs)
			case tc.diff != "" && (len(diffs) != 1 || !strings.Contains(diffs[0], tc.diff)):
				t.Errorf("differences %v, want one mentioning %q", diffs, tc.diff)
			}
		})
	}
}
