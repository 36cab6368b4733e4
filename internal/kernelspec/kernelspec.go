// Package kernelspec describes nmfkernel to Jupyter: the kernelspec that
// "kernel install" writes and the server's /api/kernelspecs reports, and
// its logo.
package kernelspec

import (
	"image"
	"image/color"
)

// Name is the kernelspec's name.
const Name = "nmfkernel"

// Spec returns kernel.json's content for a kernel started as exe.
func Spec(exe string) map[string]any {
	return map[string]any{
		"argv":           []string{exe, "jupyter", "-f", "{connection_file}"},
		"display_name":   "Go (nmfkernel)",
		"language":       "go",
		"interrupt_mode": "message",
		"env":            map[string]string{},
		"metadata":       map[string]any{"debugger": false},
	}
}

// LogoSizes are the logo sizes a kernelspec carries.
var LogoSizes = []int{32, 64}

// Logo draws the logo: V ≈ W·H as a tall bar beside a wide one and their
// product, on Go blue.
func Logo(size int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	fill := func(x0, y0, x1, y1 float64, c color.Color) {
		for y := int(y0 * float64(size)); y < int(y1*float64(size)); y++ {
			for x := int(x0 * float64(size)); x < int(x1*float64(size)); x++ {
				img.Set(x, y, c)
			}
		}
	}
	fill(0, 0, 1, 1, color.RGBA{0, 173, 216, 255})
	fill(0.12, 0.12, 0.38, 0.88, color.RGBA{255, 255, 255, 255}) // W: tall
	fill(0.5, 0.12, 0.88, 0.38, color.RGBA{230, 159, 0, 255})    // H: wide
	fill(0.5, 0.5, 0.88, 0.88, color.RGBA{0, 114, 178, 255})     // W·H
	return img
}
