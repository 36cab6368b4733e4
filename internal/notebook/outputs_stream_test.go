package notebook

import (
	"strings"
	"testing"
)

// TestStreamMerges checks that consecutive stream text of one name is
// one output, split into lines, and that another name starts a new one.
func TestStreamMerges(t *testing.T) {
	var o Outputs
	o.Stream("stdout", "a\nb")
	o.Stream("stdout", "c\n")
	o.Stream("stderr", "warn\n")
	o.Stream("stdout", "d")
	list := o.List()
	if len(list) != 3 {
		t.Fatalf("%d outputs: %v", len(list), list)
	}
	if got := multiline(list[0].(map[string]any)["text"]); got != "a\nbc\n" {
		t.Errorf("merged text %q", got)
	}
	if got := multiline(list[2].(map[string]any)["text"]); got != "d" {
		t.Errorf("last output %q", got)
	}
}

// BenchmarkStream appends 100,000 lines of 100 bytes (10 MB) to one
// stream output: the cost stays linear in the text (it was quadratic
// when every append re-joined and re-split the whole output).
func BenchmarkStream(b *testing.B) {
	line := strings.Repeat("x", 99) + "\n"
	for b.Loop() {
		var o Outputs
		for range 100000 {
			o.Stream("stdout", line)
		}
		o.List()
	}
}
