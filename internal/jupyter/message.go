// Package jupyter is Jupyter's messaging protocol (version 5.3) as data:
// message headers and messages, the signed multipart wire format used on
// ZMQ sockets, connection files, and the status and reply shapes both the
// ZMQ kernel and the websocket server speak. It does no I/O of its own.
package jupyter

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ProtocolVersion is the messaging protocol version this project speaks.
const ProtocolVersion = "5.3"

// Header identifies a message.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message. ParentHeader is nil for a message with no
// parent and is then encoded as {}, never null.
type Message struct {
	// Identities are the ZMQ routing frames that came before the
	// delimiter; replies are sent back with them.
	Identities   [][]byte
	Header       Header
	ParentHeader *Header
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
	// Channel is the channel (shell, iopub, stdin, control) a message came
	// on or goes to, for the websocket protocol.
	Channel string
}

// NewID returns a random UUID (version 4) in its canonical text form, for
// message, session and kernel ids.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Now formats the current time as the protocol wants dates: ISO 8601 with
// a time zone.
func Now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00") }

// NewMessage returns a message of msgType from session, replying to
// parent (nil for none), with content encoded as JSON.
func NewMessage(session, msgType string, parent *Header, content any) (*Message, error) {
	c, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("jupyter: encode %s content: %w", msgType, err)
	}
	return &Message{
		Header: Header{
			MsgID: NewID(), Session: session, Username: "kernel", Date: Now(),
			MsgType: msgType, Version: ProtocolVersion,
		},
		ParentHeader: parent,
		Metadata:     map[string]any{},
		Content:      c,
	}, nil
}

// DecodeContent unmarshals the message's content into v.
func (m *Message) DecodeContent(v any) error {
	if len(m.Content) == 0 {
		return fmt.Errorf("jupyter: %s message has no content", m.Header.MsgType)
	}
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("jupyter: %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// parentJSON encodes the parent header, {} when there is none.
func (m *Message) parentJSON() ([]byte, error) {
	if m.ParentHeader == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m.ParentHeader)
}

// MarshalJSON encodes the message as the websocket JSON protocol does:
// header, parent_header, metadata, content, channel and buffers (the
// buffers travel as binary frames; see the server).
func (m *Message) MarshalJSON() ([]byte, error) {
	parent, err := m.parentJSON()
	if err != nil {
		return nil, err
	}
	meta := m.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	content := m.Content
	if len(content) == 0 {
		content = json.RawMessage("{}")
	}
	return json.Marshal(struct {
		Header       Header          `json:"header"`
		MsgID        string          `json:"msg_id"`
		MsgType      string          `json:"msg_type"`
		ParentHeader json.RawMessage `json:"parent_header"`
		Metadata     map[string]any  `json:"metadata"`
		Content      json.RawMessage `json:"content"`
		Channel      string          `json:"channel,omitempty"`
		Buffers      []any           `json:"buffers"`
	}{m.Header, m.Header.MsgID, m.Header.MsgType, parent, meta, content, m.Channel, []any{}})
}
