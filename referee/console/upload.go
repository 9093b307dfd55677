package console

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
)

// The upload framing: "upload LENGTH BLAKE3", then the blob as base64 lines
// of at most MaxLine bytes, then a line ".". The receiver checks the length
// and the hash before the loader sees a byte.

// MaxUpload bounds an upload: the largest blob the format allows.
const MaxUpload = muscle.MaxBlob

// uploadHeader is what the command line announces.
type uploadHeader struct {
	n    int
	hash [32]byte
}

func parseUploadHeader(args []string) (uploadHeader, error) {
	var h uploadHeader
	if len(args) != 2 {
		return h, errors.New("usage: upload LENGTH BLAKE3")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n <= 0 || n > MaxUpload {
		return h, fmt.Errorf("length %q is not 1-%d", args[0], MaxUpload)
	}
	want, err := hex.DecodeString(args[1])
	if err != nil || len(want) != 32 {
		return h, fmt.Errorf("%q is not a 64-digit hex BLAKE3 hash", args[1])
	}
	h.n = n
	copy(h.hash[:], want)
	return h, nil
}

// uploadBody decodes the base64 lines of one upload as they arrive, into
// a buffer that grows to at most the announced length: an upload's memory
// is at most twice its blob (while the buffer grows) and one line,
// whatever the sender does.
type uploadBody struct {
	h     uploadHeader
	blob  []byte // decoded so far: len is the count, cap the announced length and slack
	carry []byte // base64 characters of an unfinished 4-character group
	chars int    // base64 characters received
	done  bool   // padding seen: nothing may follow
}

func newUploadBody(h uploadHeader) *uploadBody {
	return &uploadBody{h: h, blob: make([]byte, 0, min(h.n+3, 64<<10)), carry: make([]byte, 0, 4+MaxLine)}
}

// line takes one received line; done reports the closing ".".
func (b *uploadBody) line(line string) (done bool, err error) {
	if line == "." {
		return true, nil
	}
	line = strings.TrimSpace(line)
	if limit := (b.h.n + 2) / 3 * 4; b.chars+len(line) > limit {
		return false, fmt.Errorf("more than %d bytes of base64 for %d bytes", limit, b.h.n)
	}
	b.chars += len(line)
	if b.done && line != "" {
		return false, errors.New("body is not base64: data after the padding")
	}
	b.carry = append(b.carry, line...)
	whole := len(b.carry) &^ 3
	if whole == 0 {
		return false, nil
	}
	if need := len(b.blob) + whole/4*3; need > cap(b.blob) {
		grown := make([]byte, len(b.blob), min(b.h.n+3, max(2*cap(b.blob), need)))
		copy(grown, b.blob)
		b.blob = grown
	}
	n, err := base64.StdEncoding.Decode(b.blob[len(b.blob):cap(b.blob)], b.carry[:whole])
	if err != nil {
		b.carry = b.carry[:0] // the upload is refused; keep nothing
		return false, fmt.Errorf("body is not base64: %v", err)
	}
	b.blob = b.blob[:len(b.blob)+n]
	b.done = b.carry[whole-1] == '='
	b.carry = append(b.carry[:0], b.carry[whole:]...)
	return false, nil
}

// result checks the received bytes against the header.
func (b *uploadBody) result() ([]byte, error) {
	if len(b.carry) != 0 {
		return nil, fmt.Errorf("body is not base64: %d characters left over", len(b.carry))
	}
	if len(b.blob) != b.h.n {
		return nil, fmt.Errorf("received %d bytes, the header said %d", len(b.blob), b.h.n)
	}
	if got := b3.Sum256(b.blob); subtle.ConstantTimeCompare(got[:], b.h.hash[:]) != 1 {
		return nil, fmt.Errorf("BLAKE3 of the received bytes is %x, the header said %x", got, b.h.hash)
	}
	return b.blob, nil
}

// upload receives one sealed muscle and hands it to the loader.
func (s *Shell) upload(args []string) error {
	h, err := parseUploadHeader(args)
	if err != nil {
		return err
	}
	if avail := s.Loader.Available(); int64(h.n) > avail {
		return fmt.Errorf("%d bytes do not fit: %d bytes of the memory budget for muscles are left", h.n, max(avail, 0))
	}
	if s.json {
		fmt.Fprintf(s.Out, "{\"send\": %d}\n", h.n)
	} else {
		fmt.Fprintf(s.Out, "send %d bytes as base64 lines, then a line \".\"\n", h.n)
	}
	body := newUploadBody(h)
	for {
		line, overflow := s.read(false)
		if overflow {
			s.drain()
			return fmt.Errorf("a base64 line is longer than %d bytes", MaxLine)
		}
		done, err := body.line(line)
		if err != nil {
			s.drain()
			return err
		}
		if done {
			break
		}
	}
	blob, err := body.result()
	if err != nil {
		return err
	}
	s.Log.Append(s.Now(), "upload", fmt.Sprintf("%d bytes, blake3 %x", h.n, h.hash[:8]))
	detail, err := s.Loader.Admit("upload", blob)
	if err != nil {
		return fail("rejected", "rejected: %v", err)
	}
	if s.json {
		return s.replyJSON(map[string]string{"accepted": detail})
	}
	fmt.Fprintf(s.Out, "muscle upload: accepted %s\n", detail)
	return nil
}

// drain discards the rest of a refused upload up to its closing ".", so
// that its base64 lines are not taken for commands.
func (s *Shell) drain() {
	for {
		if line, _ := s.read(false); line == "." {
			return
		}
	}
}
