package engine

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	f := os.Getenv("SCRATCH")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, c := range strings.Split(string(b), "-- cell --\n") {
		if strings.TrimSpace(c) == "" {
			continue
		}
		got := runCell(s, c)
		fmt.Printf("=== cell %d\n", i)
		for _, k := range []string{"stdout", "stderr", "result", "display", "error"} {
			if got[k] != "" {
				fmt.Printf("[%s] %s", k, got[k])
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	var out strings.Builder
	s.Execute(ctx, "import \"time\"\nn := 0\nfor i := 0; i < 100000; i++ { n++; time.Sleep(100*time.Millisecond) }", ExecOptions{}, func(e Event) {})
	r := runCell(s, "fmt.Println(n)")
	fmt.Println("after interrupt n =", r["stdout"], out.String())
}
