package main

import (
	"errors"
	"fmt"
	"sync"
)

func main() {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 1 {
				mu.Lock()
				errs = append(errs, fmt.Errorf("task %d failed", i))
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	fmt.Println(len(errs), errors.Join(errs...) != nil)
}
