package jupyter

import (
	"fmt"
	"testing"
)

func TestReplayGuard(t *testing.T) {
	g := &ReplayGuard{Size: 3}
	for _, tc := range []struct {
		sig  string
		seen bool
	}{
		{"a", false}, {"b", false}, {"a", true}, {"c", false}, {"d", false}, // a falls out
		{"a", false}, {"d", true}, {"", false}, {"", false},
	} {
		if got := g.Seen([]byte(tc.sig)); got != tc.seen {
			t.Errorf("Seen(%q) = %v, want %v", tc.sig, got, tc.seen)
		}
	}
	big := &ReplayGuard{}
	for i := range 70000 {
		big.Seen([]byte(fmt.Sprint(i)))
	}
	if len(big.seen) != 1<<16 || !big.Seen([]byte("69999")) || big.Seen([]byte("0")) {
		t.Errorf("default size: kept %d", len(big.seen))
	}
}
