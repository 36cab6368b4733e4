package nmf

import (
	"fmt"
	"strings"
	"testing"
)

// TestWorkerPanicReachesTheCaller: a panic in a worker goroutine is raised
// again on the goroutine that started the work, where it can be recovered.
func TestWorkerPanicReachesTheCaller(t *testing.T) {
	for name, run := range map[string]func(){
		"forChunks": func() {
			forChunks(10000, 1e9, func() int { return 0 }, func(lo, hi int, _ int) float64 {
				if lo == 64 {
					panic("boom")
				}
				return 0
			})
		},
		"eachPiece": func() {
			eachPiece(100, func(i int) {
				if i == 3 {
					panic("boom")
				}
			})
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "boom") {
					t.Errorf("%s: recovered %v", name, r)
				}
			}()
			run()
		}()
	}
}
