package jupyter

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := Signer{Key: []byte("secret")}
	parent := &Header{MsgID: "p", Session: "s", MsgType: "execute_request", Version: "5.3", Date: Now()}
	m, err := NewMessage("sess", "stream", parent, map[string]string{"name": "stdout", "text": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("client-1")}
	m.Buffers = [][]byte{{1, 2, 3}}
	frames, err := s.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(frames[1]) != Delimiter || len(frames[2]) != 64 {
		t.Fatalf("frames %q", frames[:3])
	}
	back, err := s.Decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if back.Header != m.Header || *back.ParentHeader != *parent || string(back.Identities[0]) != "client-1" || !bytes.Equal(back.Buffers[0], []byte{1, 2, 3}) {
		t.Errorf("round trip: %+v", back)
	}
	if _, err := time.Parse(time.RFC3339Nano, m.Header.Date); err != nil {
		t.Errorf("date %q: %v", m.Header.Date, err)
	}
	// No parent: {} on the wire, never null.
	m.ParentHeader = nil
	frames, _ = s.Encode(m)
	if string(frames[4]) != "{}" {
		t.Errorf("parent frame %q", frames[4])
	}
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), `"parent_header":{}`) {
		t.Errorf("JSON form %s", b)
	}
}

func TestDecodeRejects(t *testing.T) {
	s := Signer{Key: []byte("secret")}
	m, _ := NewMessage("sess", "execute_request", nil, map[string]string{"code": "1"})
	good, _ := s.Encode(m)
	tamper := func(i int, v string) [][]byte {
		f := append([][]byte(nil), good...)
		f[i] = []byte(v)
		return f
	}
	unsigned, _ := Signer{}.Encode(m)
	for _, tc := range []struct {
		name   string
		frames [][]byte
		want   error
	}{
		{"no delimiter", [][]byte{[]byte("a"), []byte("b")}, ErrNoDelimiter},
		{"empty", nil, ErrNoDelimiter},
		{"short", good[:4], ErrShort},
		{"wrong signature", tamper(1, strings.Repeat("0", 64)), ErrSignature},
		{"unsigned", unsigned, ErrSignature},
		{"tampered content", tamper(5, `{"code":"2"}`), ErrSignature},
		{"other key", func() [][]byte { f, _ := Signer{Key: []byte("other")}.Encode(m); return f }(), ErrSignature},
	} {
		if _, err := s.Decode(tc.frames); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// An empty key accepts any signature, as the protocol says.
	if _, err := (Signer{}).Decode(good); err != nil {
		t.Errorf("no key: %v", err)
	}
	bad, _ := NewMessage("sess", "x", nil, nil)
	bad.Header.MsgType = ""
	f, _ := s.Encode(bad)
	if _, err := s.Decode(f); !errors.Is(err, ErrHeader) {
		t.Errorf("no msg_type: %v", err)
	}
}

func TestPeekType(t *testing.T) {
	s := Signer{Key: []byte("secret")}
	m, _ := NewMessage("sess", "status", nil, map[string]string{"execution_state": "idle"})
	good, _ := s.Encode(m)
	m.Identities = [][]byte{[]byte("topic")}
	withTopic, _ := s.Encode(m)
	badHeader := append([][]byte(nil), good...)
	badHeader[2] = []byte("{not json")
	for _, tc := range []struct {
		name    string
		frames  [][]byte
		want    string
		wantErr error
	}{
		{"signed", good, "status", nil},
		{"after a topic frame", withTopic, "status", nil},
		{"no delimiter", [][]byte{[]byte("a")}, "", ErrNoDelimiter},
		{"short", good[:4], "", ErrShort},
		{"header not JSON", badHeader, "", ErrHeader},
	} {
		got, err := PeekType(tc.frames)
		if got != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: PeekType = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestOpenRelaysAsDecoded checks that a message opened raw and framed for
// a v1 websocket client reads back as the decoded message would, and that
// Open refuses what Decode refuses.
func TestOpenRelaysAsDecoded(t *testing.T) {
	s := Signer{Key: []byte("secret")}
	parent := &Header{MsgID: "p-1", Session: "s", MsgType: "execute_request", Version: "5.3", Date: Now()}
	withParent, _ := NewMessage("sess", "stream", parent, map[string]string{"name": "stdout", "text": "hi"})
	withParent.Identities = [][]byte{[]byte("topic")}
	withParent.Metadata = map[string]any{"k": "v"}
	withBuffers, _ := NewMessage("sess", "comm_msg", nil, map[string]string{"x": "y"})
	withBuffers.Buffers = [][]byte{{1, 2, 3}, {}}
	for _, m := range []*Message{withParent, withBuffers} {
		frames, err := s.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.Open(frames)
		if err != nil {
			t.Fatal(err)
		}
		if raw.MsgType != m.Header.MsgType {
			t.Errorf("MsgType %q, want %q", raw.MsgType, m.Header.MsgType)
		}
		wantParent := ""
		if m.ParentHeader != nil {
			wantParent = m.ParentHeader.MsgID
		}
		if got := raw.ParentMsgID(); got != wantParent {
			t.Errorf("ParentMsgID %q, want %q", got, wantParent)
		}
		got, err := DecodeWSV1(EncodeRawWSV1("iopub", raw))
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Decode(frames)
		if err != nil {
			t.Fatal(err)
		}
		want.Channel, want.Identities = "iopub", nil
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) || len(got.Buffers) != len(want.Buffers) {
			t.Errorf("relayed %s\nwant    %s", gj, wj)
		}
		for i := range want.Buffers {
			if !bytes.Equal(got.Buffers[i], want.Buffers[i]) {
				t.Errorf("buffer %d: %v, want %v", i, got.Buffers[i], want.Buffers[i])
			}
		}
	}

	good, _ := s.Encode(withBuffers)
	tamper := func(i int, v string) [][]byte {
		f := append([][]byte(nil), good...)
		f[i] = []byte(v)
		return f
	}
	for _, tc := range []struct {
		name   string
		frames [][]byte
		want   error
	}{
		{"no delimiter", [][]byte{[]byte("a")}, ErrNoDelimiter},
		{"short", good[:4], ErrShort},
		{"tampered content", tamper(5, `{"x":"z"}`), ErrSignature},
		{"header not JSON", func() [][]byte {
			m, _ := NewMessage("sess", "x", nil, nil)
			f, _ := s.Encode(m)
			f[2] = []byte("{not json")
			f[1] = []byte(s.Sign(f[2], f[3], f[4], f[5]))
			return f
		}(), ErrHeader},
		{"no msg_type", func() [][]byte {
			m, _ := NewMessage("sess", "x", nil, nil)
			m.Header.MsgType = ""
			f, _ := s.Encode(m)
			return f
		}(), ErrHeader},
	} {
		if _, err := s.Open(tc.frames); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	s := Signer{Key: []byte("k")}
	m, _ := NewMessage("sess", "execute_request", nil, map[string]string{"code": "1"})
	good, _ := s.Encode(m)
	f.Add(bytes.Join(good, []byte{0}))
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, key := range []Signer{s, {}} {
			m, err := key.Decode(bytes.Split(data, []byte{0}))
			if err == nil && (m.Header.MsgType == "" || m.Header.MsgID == "") {
				t.Fatal("accepted a message without type or id")
			}
			if err == nil {
				if _, err := key.Encode(m); err != nil {
					t.Fatalf("decoded message does not encode: %v", err)
				}
				if typ, err := PeekType(bytes.Split(data, []byte{0})); err != nil || typ != m.Header.MsgType {
					t.Fatalf("PeekType = %q, %v; Decode read %q", typ, err, m.Header.MsgType)
				}
			}
			// Open checks less than Decode (the other parts stay raw), so
			// it takes everything Decode takes, and what it takes frames
			// into a v1 message that decodes.
			raw, rerr := key.Open(bytes.Split(data, []byte{0}))
			if err == nil && rerr != nil {
				t.Fatalf("Decode took the frames, Open refused them: %v", rerr)
			}
			if rerr == nil {
				raw.ParentMsgID()
				if back, err := DecodeWSV1(EncodeRawWSV1("shell", raw)); err == nil && back.Header.MsgType != raw.MsgType {
					t.Fatalf("relayed msg_type %q, opened %q", back.Header.MsgType, raw.MsgType)
				}
			}
		}
	})
}

func TestConnectionFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/c.json"
	write := func(s string) { _ = writeFile(path, s) }
	write(`{"shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"ip":"127.0.0.1","key":"k","transport":"tcp","signature_scheme":"hmac-sha256"}`)
	c, err := ReadConnectionFile(path)
	if err != nil || c.Endpoint(c.ShellPort) != "tcp://127.0.0.1:1" {
		t.Errorf("%+v %v", c, err)
	}
	write(`{"transport":"ipc"}`)
	if _, err := ReadConnectionFile(path); err == nil {
		t.Error("ipc transport accepted")
	}
	write(`{"signature_scheme":"hmac-md5"}`)
	if _, err := ReadConnectionFile(path); err == nil {
		t.Error("md5 accepted")
	}
	write(`{`)
	if _, err := ReadConnectionFile(path); err == nil {
		t.Error("bad JSON accepted")
	}
	ports, err := FreePorts("127.0.0.1", 5)
	if err != nil || len(ports) != 5 {
		t.Errorf("FreePorts: %v %v", ports, err)
	}
}
