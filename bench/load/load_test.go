package main

import (
	"context"
	"testing"
)

// TestLoadSmall runs a small load in CI: every reply must come back to the
// client that asked, with its own output (README has the full run's figures).
func TestLoadSmall(t *testing.T) {
	res, err := Run(context.Background(), Config{Clients: 6, Cells: 15, Kernels: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
}
