package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.Date(2024, time.March, 5, 14, 7, 9, 0, time.UTC)
	fmt.Println(t.Format(time.RFC3339))
	fmt.Println(t.Format("2006-01-02 15:04"))
	fmt.Println(t.Weekday(), t.YearDay())
	u := t.Add(36 * time.Hour)
	fmt.Println(u.Sub(t), u.Format("Jan 2"))
	d, _ := time.ParseDuration("1h30m")
	fmt.Println(d, d.Minutes())
}
