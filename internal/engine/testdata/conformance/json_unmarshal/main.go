package main

import (
	"encoding/json"
	"fmt"
)

type Config struct {
	Host  string `json:"host"`
	Port  int    `json:"port"`
	Debug bool   `json:"debug"`
}

func main() {
	var c Config
	err := json.Unmarshal([]byte(`{"host":"localhost","port":8080,"debug":true}`), &c)
	fmt.Printf("%+v %v\n", c, err)
	var m map[string]any
	json.Unmarshal([]byte(`{"a":1,"b":[true,null]}`), &m)
	fmt.Println(m["a"], m["b"])
	err = json.Unmarshal([]byte(`{bad`), &m)
	fmt.Println(err)
}
