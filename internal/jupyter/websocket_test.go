package jupyter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func sampleMessage() *Message {
	m, _ := NewMessage("s", "display_data", &Header{MsgID: "p", MsgType: "execute_request", Session: "c", Version: "5.3"}, map[string]any{"data": map[string]string{"text/plain": "x"}})
	m.Channel = "iopub"
	return m
}

func TestWSV1RoundTrip(t *testing.T) {
	for _, bufs := range [][][]byte{nil, {{1, 2}, {}, {3}}} {
		m := sampleMessage()
		m.Buffers = bufs
		b, err := EncodeWSV1(m)
		if err != nil {
			t.Fatal(err)
		}
		// The layout jupyter_server's serialize_msg_to_ws_v1 produces.
		n := binary.LittleEndian.Uint64(b)
		first := binary.LittleEndian.Uint64(b[8:])
		if n != uint64(6+len(bufs)) || first != 8*(n+1) || string(b[first:first+5]) != "iopub" {
			t.Fatalf("layout: %d offsets, first %d", n, first)
		}
		back, err := DecodeWSV1(b)
		if err != nil {
			t.Fatal(err)
		}
		if back.Header != m.Header || back.Channel != "iopub" || back.ParentHeader.MsgID != "p" || !bytes.Equal(back.Content, m.Content) || len(back.Buffers) != len(bufs) {
			t.Errorf("round trip: %+v", back)
		}
	}
}

func TestWSJSONRoundTrip(t *testing.T) {
	m := sampleMessage()
	data, isBinary, err := EncodeWSJSON(m)
	if err != nil || isBinary {
		t.Fatalf("%v %v", isBinary, err)
	}
	back, err := DecodeWSJSON(data, false)
	if err != nil || back.Header != m.Header || back.Channel != "iopub" {
		t.Fatalf("%+v %v", back, err)
	}
	m.Buffers = [][]byte{{9, 9, 9}}
	data, isBinary, err = EncodeWSJSON(m)
	if err != nil || !isBinary || binary.BigEndian.Uint32(data) != 2 {
		t.Fatalf("binary form: %v %v", isBinary, err)
	}
	back, err = DecodeWSJSON(data, true)
	if err != nil || len(back.Buffers) != 1 || !bytes.Equal(back.Buffers[0], []byte{9, 9, 9}) {
		t.Fatalf("%+v %v", back, err)
	}
	// What JupyterLab sends: no parent header, no metadata.
	back, err = DecodeWSJSON([]byte(`{"header":{"msg_id":"1","msg_type":"kernel_info_request","session":"s","username":"","date":"","version":"5.3"},"parent_header":{},"content":{},"channel":"shell"}`), false)
	if err != nil || back.ParentHeader != nil || back.Channel != "shell" {
		t.Errorf("%+v %v", back, err)
	}
}

func TestWSDecodeRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":      {},
		"short":      {1, 0, 0},
		"huge count": binary.LittleEndian.AppendUint64(nil, 1<<40),
		"offset past end": func() []byte {
			b, _ := EncodeWSV1(sampleMessage())
			binary.LittleEndian.PutUint64(b[16:], 1<<30)
			return b
		}(),
	} {
		if _, err := DecodeWSV1(b); !errors.Is(err, ErrWSFrame) {
			t.Errorf("v1 %s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{"not json": []byte("{"), "no type": []byte(`{"header":{"msg_id":"1"}}`)} {
		if _, err := DecodeWSJSON(b, false); !errors.Is(err, ErrWSFrame) {
			t.Errorf("json %s: %v", name, err)
		}
	}
	if _, err := DecodeWSJSON([]byte{0, 0, 0, 9, 1}, true); !errors.Is(err, ErrWSFrame) {
		t.Errorf("binary json with bad count: %v", err)
	}
}

func FuzzDecodeWS(f *testing.F) {
	v1, _ := EncodeWSV1(sampleMessage())
	js, _, _ := EncodeWSJSON(sampleMessage())
	f.Add(v1, false)
	f.Add(js, false)
	f.Fuzz(func(t *testing.T, data []byte, isBinary bool) {
		if m, err := DecodeWSV1(data); err == nil {
			if _, err := EncodeWSV1(m); err != nil {
				t.Fatal(err)
			}
		}
		if m, err := DecodeWSJSON(data, isBinary); err == nil && m.Header.MsgType == "" {
			t.Fatal("accepted a message without a type")
		}
	})
}

// BenchmarkRelayV1 turns a kernel's signed execute_result into a v1
// websocket message, as the server does for every message a kernel sends:
// decoded and re-encoded (what a legacy JSON client needs), or opened raw.
func BenchmarkRelayV1(b *testing.B) {
	s := Signer{Key: []byte("0123456789abcdef0123456789abcdef")}
	parent := &Header{MsgID: "3f1b0f6e-6c0b-4cde-9d70-2f9e5a0f0d11", Session: "c0ffee", Username: "user", MsgType: "execute_request", Version: "5.3", Date: Now()}
	m, _ := NewMessage("kernel-session", "execute_result", parent, map[string]any{
		"execution_count": 42,
		"data":            map[string]string{"text/plain": "123"},
		"metadata":        map[string]any{},
	})
	frames, err := s.Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decoded", func(b *testing.B) {
		for b.Loop() {
			d, err := s.Decode(frames)
			if err != nil {
				b.Fatal(err)
			}
			d.Channel = "iopub"
			if _, err := EncodeWSV1(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			r, err := s.Open(frames)
			if err != nil {
				b.Fatal(err)
			}
			EncodeRawWSV1("iopub", r)
		}
	})
}
