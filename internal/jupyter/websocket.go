package jupyter

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// WSSubprotocolV1 is jupyter_server's binary websocket subprotocol.
const WSSubprotocolV1 = "v1.kernel.websocket.jupyter.org"

// ErrWSFrame reports a websocket frame that is not a Jupyter message.
var ErrWSFrame = errors.New("jupyter: malformed websocket message")

// EncodeWSV1 encodes a message in the v1 binary websocket format: a count
// of offsets, the offsets (little-endian uint64), the channel name, then
// header, parent header, metadata, content and buffers.
func EncodeWSV1(m *Message) ([]byte, error) {
	parts, err := jsonParts(m)
	if err != nil {
		return nil, err
	}
	return frameWSV1(m.Channel, append(parts, m.Buffers...)), nil
}

// EncodeRawWSV1 encodes a message relayed from the wire (see Signer.Open)
// in the v1 binary websocket format, its parts as they are; empty parts
// become {}, as EncodeWSV1 writes them.
func EncodeRawWSV1(channel string, r *Raw) []byte {
	parts := make([][]byte, 0, 4+len(r.Buffers))
	for _, p := range [][]byte{r.Header, r.ParentHeader, r.Metadata, r.Content} {
		if len(p) == 0 {
			p = []byte("{}")
		}
		parts = append(parts, p)
	}
	return frameWSV1(channel, append(parts, r.Buffers...))
}

// frameWSV1 lays out a v1 binary websocket message: the number of offsets,
// the offsets, the channel name, then the parts.
func frameWSV1(chanName string, parts [][]byte) []byte {
	channel := []byte(chanName)
	n := 2 + len(parts)
	offsets := make([]uint64, 0, n)
	offsets = append(offsets, uint64(8*(1+n)))
	offsets = append(offsets, offsets[0]+uint64(len(channel)))
	for _, p := range parts {
		offsets = append(offsets, offsets[len(offsets)-1]+uint64(len(p)))
	}
	b := make([]byte, 0, offsets[len(offsets)-1])
	b = binary.LittleEndian.AppendUint64(b, uint64(n))
	for _, o := range offsets {
		b = binary.LittleEndian.AppendUint64(b, o)
	}
	b = append(b, channel...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// DecodeWSV1 decodes a v1 binary websocket message.
func DecodeWSV1(b []byte) (*Message, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrWSFrame, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n < 6 || n > uint64(len(b))/8 {
		return nil, fmt.Errorf("%w: %d offsets", ErrWSFrame, n)
	}
	offsets := make([]uint64, n)
	for i := range offsets {
		offsets[i] = binary.LittleEndian.Uint64(b[8*(i+1):])
		if offsets[i] > uint64(len(b)) || (i > 0 && offsets[i] < offsets[i-1]) || offsets[i] < 8*(n+1) {
			return nil, fmt.Errorf("%w: offset %d out of order or range", ErrWSFrame, i)
		}
	}
	part := func(i int) []byte { return b[offsets[i]:offsets[i+1]] }
	channel := string(part(0))
	var parts [][]byte
	for i := 1; i < int(n)-1; i++ {
		parts = append(parts, part(i))
	}
	// The last part runs to the last offset; anything after it is ignored.
	m, err := fromJSONParts(parts[0], parts[1], parts[2], parts[3])
	if err != nil {
		return nil, err
	}
	m.Channel = channel
	for _, buf := range parts[4:] {
		m.Buffers = append(m.Buffers, bytes.Clone(buf))
	}
	return m, nil
}

// EncodeWSJSON encodes a message in the legacy websocket format: a JSON
// text frame with a "channel" key, or, when the message has buffers, a
// binary frame of big-endian uint32 offsets, that JSON and the buffers.
func EncodeWSJSON(m *Message) (data []byte, isBinary bool, err error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, false, fmt.Errorf("jupyter: encode message: %w", err)
	}
	if len(m.Buffers) == 0 {
		return js, false, nil
	}
	bufs := append([][]byte{js}, m.Buffers...)
	offsets := []uint32{uint32(4 * (len(bufs) + 1))}
	for _, buf := range bufs[:len(bufs)-1] {
		offsets = append(offsets, offsets[len(offsets)-1]+uint32(len(buf)))
	}
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(bufs)))
	binary.Write(&b, binary.BigEndian, offsets)
	for _, buf := range bufs {
		b.Write(buf)
	}
	return b.Bytes(), true, nil
}

// DecodeWSJSON decodes a legacy websocket message: JSON text, or a binary
// frame of offsets, JSON and buffers.
func DecodeWSJSON(data []byte, isBinary bool) (*Message, error) {
	js := data
	var buffers [][]byte
	if isBinary {
		if len(data) < 4 {
			return nil, fmt.Errorf("%w: %d bytes", ErrWSFrame, len(data))
		}
		n := binary.BigEndian.Uint32(data)
		if n == 0 || uint64(n) > uint64(len(data))/4-1 {
			return nil, fmt.Errorf("%w: %d buffers", ErrWSFrame, n)
		}
		offsets := make([]int, n+1)
		for i := 0; i < int(n); i++ {
			offsets[i] = int(binary.BigEndian.Uint32(data[4*(i+1):]))
		}
		offsets[n] = len(data)
		for i := 0; i < int(n); i++ {
			if offsets[i] < 4*(int(n)+1) || offsets[i] > offsets[i+1] {
				return nil, fmt.Errorf("%w: offset %d out of order or range", ErrWSFrame, i)
			}
		}
		js = data[offsets[0]:offsets[1]]
		for i := 1; i < int(n); i++ {
			buffers = append(buffers, bytes.Clone(data[offsets[i]:offsets[i+1]]))
		}
	}
	var raw struct {
		Header       json.RawMessage `json:"header"`
		ParentHeader json.RawMessage `json:"parent_header"`
		Metadata     json.RawMessage `json:"metadata"`
		Content      json.RawMessage `json:"content"`
		Channel      string          `json:"channel"`
	}
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWSFrame, err)
	}
	m, err := fromJSONParts(raw.Header, raw.ParentHeader, raw.Metadata, raw.Content)
	if err != nil {
		return nil, err
	}
	m.Channel = raw.Channel
	m.Buffers = buffers
	return m, nil
}

// jsonParts returns the four JSON frames of a message.
func jsonParts(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent, err := m.parentJSON()
	if err != nil {
		return nil, err
	}
	meta := m.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	metadata, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	return [][]byte{header, parent, metadata, content}, nil
}

// fromJSONParts builds a message from its four JSON parts.
func fromJSONParts(header, parent, metadata, content []byte) (*Message, error) {
	m := &Message{}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrWSFrame, err)
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, fmt.Errorf("%w: header without msg_type or msg_id", ErrWSFrame)
	}
	if p := bytes.TrimSpace(parent); len(p) > 0 && !bytes.Equal(p, []byte("{}")) && !bytes.Equal(p, []byte("null")) {
		var h Header
		if err := json.Unmarshal(p, &h); err != nil {
			return nil, fmt.Errorf("%w: parent header: %v", ErrWSFrame, err)
		}
		m.ParentHeader = &h
	}
	if md := bytes.TrimSpace(metadata); len(md) > 0 && !bytes.Equal(md, []byte("null")) {
		if err := json.Unmarshal(md, &m.Metadata); err != nil {
			return nil, fmt.Errorf("%w: metadata: %v", ErrWSFrame, err)
		}
	}
	c := bytes.TrimSpace(content)
	if len(c) == 0 || bytes.Equal(c, []byte("null")) {
		c = []byte("{}")
	}
	if !json.Valid(c) {
		return nil, fmt.Errorf("%w: content is not JSON", ErrWSFrame)
	}
	m.Content = json.RawMessage(bytes.Clone(c))
	return m, nil
}
