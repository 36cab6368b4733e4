//go:build !race

package nmf

const raceBuild = false
