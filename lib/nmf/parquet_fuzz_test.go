package nmf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// FuzzReadParquet feeds mutated Parquet files to ReadParquet and
// ReadParquetWide: an error, never a panic, and a matrix read is one
// that holds together.
func FuzzReadParquet(f *testing.F) {
	dir := f.TempDir()
	V, _ := ratingsTable(9, 6, 5, 0.3)
	for i, write := range []func(string) error{
		func(p string) error { return WriteParquet(p, V, "label") },
		func(p string) error { return WriteParquetTriples(p, V, "row", "col", "value") },
	} {
		p := filepath.Join(dir, "seed"+string(rune('a'+i))+".parquet")
		if err := write(p); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for _, read := range []func() (*Matrix, error){
			func() (m *Matrix, err error) {
				defer recoverError(&err)
				return readParquetFrom(r, int64(len(data)), func(f *parquet.File) (*Matrix, error) { return parquetTriples(f, "row", "col", "value") })
			},
			func() (m *Matrix, err error) {
				defer recoverError(&err)
				return readParquetFrom(r, int64(len(data)), func(f *parquet.File) (*Matrix, error) { return parquetWide(f, "label") })
			},
		} {
			m, err := read()
			if err != nil {
				continue
			}
			r, c := m.Dims()
			if r <= 0 || c <= 0 || len(m.RowLabels()) != r || len(m.ColLabels()) != c {
				t.Fatalf("a %d×%d matrix with %d and %d labels", r, c, len(m.RowLabels()), len(m.ColLabels()))
			}
			var buf bytes.Buffer
			if err := m.WriteCSV(&buf); err != nil {
				t.Fatalf("the matrix read does not write: %v", err)
			}
		}
	})
}
