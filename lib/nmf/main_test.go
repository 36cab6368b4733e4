package nmf

import (
	"os"
	"os/exec"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// The tests and benchmarks run with OpenBLAS when the machine has it, as
// the kernel does (the figures in docs/performance.md were measured so), except in the
// child process of TestFitLeavesTheBLASAlone.
func TestMain(m *testing.M) {
	if os.Getenv("NMF_TEST_PURE_GO") == "" {
		UseOpenBLAS()
	}
	os.Exit(m.Run())
}

// TestFitLeavesTheBLASAlone fits in a process that never chose a BLAS:
// gonum's own stays in place, as a library must not change it.
func TestFitLeavesTheBLASAlone(t *testing.T) {
	if os.Getenv("NMF_TEST_PURE_GO") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFitLeavesTheBLASAlone$", "-test.count=1")
		cmd.Env = append(os.Environ(), "NMF_TEST_PURE_GO=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok {
		t.Fatalf("before the fit: %T", blas64.Implementation())
	}
	V, err := NewMatrix([]string{"a", "b", "c"}, []string{"x", "y"}, []float64{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(V, Options{Components: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok {
		t.Errorf("the fit changed gonum's BLAS to %T", blas64.Implementation())
	}
}
