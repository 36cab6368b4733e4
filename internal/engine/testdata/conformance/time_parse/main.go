package main

import (
	"fmt"
	"time"
)

func main() {
	t, err := time.Parse("2006-01-02", "2023-12-25")
	fmt.Println(t, err)
	_, err = time.Parse("2006-01-02", "not a date")
	fmt.Println(err != nil)
	fmt.Println(t.AddDate(0, 1, 7).Format("Mon Jan 2 2006"))
	fmt.Println(t.Truncate(24*time.Hour).Equal(t), t.Before(t.Add(time.Second)))
}
