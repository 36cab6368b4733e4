package main

import "fmt"

func main() {
	chans := make([]chan string, 3)
	for i := range chans {
		chans[i] = make(chan string, 1)
		go func(i int) { chans[i] <- fmt.Sprintf("worker %d", i) }(i)
	}
	for _, c := range chans {
		fmt.Println(<-c)
	}
}
