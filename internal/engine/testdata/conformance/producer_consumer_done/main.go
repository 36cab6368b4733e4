package main

import "fmt"

func main() {
	data := make(chan int)
	done := make(chan bool)
	go func() {
		total := 0
		for v := range data {
			total += v
		}
		fmt.Println("total", total)
		done <- true
	}()
	for i := 1; i <= 10; i++ {
		data <- i
	}
	close(data)
	<-done
}
