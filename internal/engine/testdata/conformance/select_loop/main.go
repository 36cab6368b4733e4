package main

import "fmt"

func main() {
	a, b := make(chan int), make(chan int)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 3; i++ {
			a <- i
		}
		close(done)
	}()
	sum := 0
	for {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum -= v
		case <-done:
			fmt.Println("sum", sum)
			return
		}
	}
}
