package main

import (
	"context"
	"fmt"
)

type key string

func handler(ctx context.Context) string {
	if v, ok := ctx.Value(key("user")).(string); ok {
		return "user " + v
	}
	return "anonymous"
}

func main() {
	ctx := context.WithValue(context.Background(), key("user"), "ann")
	fmt.Println(handler(ctx), handler(context.Background()))
}
