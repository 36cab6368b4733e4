package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
)

func main() {
	sum := sha256.Sum256([]byte("abc"))
	fmt.Println(hex.EncodeToString(sum[:8]))
	fmt.Println(base64.StdEncoding.EncodeToString([]byte("hello")))
	fmt.Println(crc32.ChecksumIEEE([]byte("hello")))
}
