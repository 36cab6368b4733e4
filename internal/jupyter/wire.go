package jupyter

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Delimiter separates routing identities from the message on the wire.
const Delimiter = "<IDS|MSG>"

// Errors from Decode.
var (
	ErrNoDelimiter = errors.New("jupyter: no <IDS|MSG> delimiter")
	ErrShort       = errors.New("jupyter: fewer than 5 frames after the delimiter")
	ErrSignature   = errors.New("jupyter: bad message signature")
	ErrHeader      = errors.New("jupyter: malformed header")
)

// Signer signs and verifies messages with HMAC-SHA256 over the header,
// parent header, metadata and content frames. An empty key signs with an
// empty signature and accepts any, as the protocol specifies.
type Signer struct{ Key []byte }

// Sign returns the hex signature of the four frames.
func (s Signer) Sign(frames ...[]byte) string {
	if len(s.Key) == 0 {
		return ""
	}
	mac := hmac.New(sha256.New, s.Key)
	for _, f := range frames {
		mac.Write(f)
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is the signature of the frames, comparing in
// constant time.
func (s Signer) Verify(sig []byte, frames ...[]byte) bool {
	if len(s.Key) == 0 {
		return true
	}
	want := s.Sign(frames...)
	return hmac.Equal([]byte(want), sig)
}

// Encode returns the message's wire frames: identities, the delimiter, the
// signature, the four JSON frames and the buffers.
func (s Signer) Encode(m *Message) ([][]byte, error) {
	parts, err := jsonParts(m)
	if err != nil {
		return nil, fmt.Errorf("jupyter: encode %s: %w", m.Header.MsgType, err)
	}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(Delimiter), []byte(s.Sign(parts...)))
	frames = append(frames, parts...)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// Decode parses wire frames into a message, checking the signature. The
// content is kept raw; the header must name a message type.
func (s Signer) Decode(frames [][]byte) (*Message, error) {
	i, rest, err := s.verified(frames)
	if err != nil {
		return nil, err
	}
	header, parent, metadata, content := rest[1], rest[2], rest[3], rest[4]
	m := &Message{Identities: frames[:i], Content: json.RawMessage(bytes.Clone(content))}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, fmt.Errorf("%w: no msg_type or msg_id", ErrHeader)
	}
	if len(bytes.TrimSpace(parent)) > 0 && !bytes.Equal(bytes.TrimSpace(parent), []byte("{}")) {
		var p Header
		if err := json.Unmarshal(parent, &p); err != nil {
			return nil, fmt.Errorf("jupyter: malformed parent header: %v", err)
		}
		m.ParentHeader = &p
	}
	if len(bytes.TrimSpace(metadata)) > 0 {
		if err := json.Unmarshal(metadata, &m.Metadata); err != nil {
			return nil, fmt.Errorf("jupyter: malformed metadata: %v", err)
		}
	}
	if !json.Valid(content) {
		return nil, fmt.Errorf("jupyter: %s content is not JSON", m.Header.MsgType)
	}
	for _, b := range rest[5:] {
		m.Buffers = append(m.Buffers, bytes.Clone(b))
	}
	return m, nil
}

// Raw is a message as it came off the wire: its four JSON parts and its
// buffers, undecoded, for a relay that forwards them as they are.
type Raw struct {
	Header, ParentHeader, Metadata, Content []byte
	Buffers                                 [][]byte
	MsgType                                 string // from the header
}

// Open checks the signature of wire frames and returns their parts without
// decoding the parent header, metadata or content, as jupyter_server relays
// kernel messages to v1 websocket clients; the header must be JSON naming
// msg_type and msg_id. The parts alias frames.
func (s Signer) Open(frames [][]byte) (*Raw, error) {
	_, rest, err := s.verified(frames)
	if err != nil {
		return nil, err
	}
	header, parent, metadata, content := rest[1], rest[2], rest[3], rest[4]
	var h struct {
		MsgID   string `json:"msg_id"`
		MsgType string `json:"msg_type"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	if h.MsgType == "" || h.MsgID == "" {
		return nil, fmt.Errorf("%w: no msg_type or msg_id", ErrHeader)
	}
	return &Raw{Header: header, ParentHeader: parent, Metadata: metadata, Content: content, Buffers: rest[5:], MsgType: h.MsgType}, nil
}

// ParentMsgID returns the msg_id of the parent header, or "" when there is
// none or it is not JSON.
func (r *Raw) ParentMsgID() string {
	var p struct {
		MsgID string `json:"msg_id"`
	}
	if json.Unmarshal(r.ParentHeader, &p) != nil {
		return ""
	}
	return p.MsgID
}

// verified is split for frames whose signature checks out.
func (s Signer) verified(frames [][]byte) (delim int, rest [][]byte, err error) {
	delim, rest, err = split(frames)
	if err != nil {
		return 0, nil, err
	}
	if !s.Verify(rest[0], rest[1], rest[2], rest[3], rest[4]) {
		return 0, nil, ErrSignature
	}
	return delim, rest, nil
}

// split finds the delimiter in wire frames and returns its index and the
// frames after it, at least five (signature, header, parent header,
// metadata, content).
func split(frames [][]byte) (delim int, rest [][]byte, err error) {
	delim = -1
	for k, f := range frames {
		if bytes.Equal(f, []byte(Delimiter)) {
			delim = k
			break
		}
	}
	if delim < 0 {
		return 0, nil, ErrNoDelimiter
	}
	rest = frames[delim+1:]
	if len(rest) < 5 {
		return 0, nil, fmt.Errorf("%w (%d)", ErrShort, len(rest))
	}
	return delim, rest, nil
}

// PeekType returns the msg_type in wire frames' header without checking
// the signature or reading the rest: for a listener that acts only on some
// message types and decodes (and verifies) just those.
func PeekType(frames [][]byte) (string, error) {
	_, rest, err := split(frames)
	if err != nil {
		return "", err
	}
	var h struct {
		MsgType string `json:"msg_type"`
	}
	if err := json.Unmarshal(rest[1], &h); err != nil {
		return "", fmt.Errorf("%w: %v", ErrHeader, err)
	}
	return h.MsgType, nil
}
