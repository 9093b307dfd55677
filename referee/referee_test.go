package referee

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/muscles/referee/muscle"
)

func testRecord(t *testing.T) []byte {
	t.Helper()
	master := bytes.Repeat([]byte{0x5a}, muscle.KeySize)
	rec, err := muscle.NewKeyRecord(master)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.AddPublisher(muscle.Publisher{ID: muscle.PublisherIDFor(pub), PublicKey: pub, Grants: muscle.CapAll}); err != nil {
		t.Fatal(err)
	}
	b, err := rec.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	region := make([]byte, 64<<10)
	copy(region, b)
	return region
}

func TestLoadKeyRecord(t *testing.T) {
	region := testRecord(t)
	rec, err := LoadKeyRecord(region)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Publishers) != 1 {
		t.Errorf("%d publishers, want 1", len(rec.Publishers))
	}
	if !bytes.Equal(region, make([]byte, len(region))) {
		t.Error("the copy of the key region was not wiped")
	}
}

func TestLoadKeyRecordRejects(t *testing.T) {
	corrupt := testRecord(t)
	corrupt[40] ^= 1
	tests := []struct {
		name   string
		region []byte
		want   error
		status int
	}{
		{"empty", make([]byte, 64<<10), muscle.ErrNoKeyRecord, ExitNoKeyRecord},
		{"erased flash", bytes.Repeat([]byte{0xff}, 64<<10), muscle.ErrNoKeyRecord, ExitNoKeyRecord},
		{"garbage", bytes.Repeat([]byte("garbage!"), 8<<10), muscle.ErrMalformedKeyRecord, ExitBadKeyRecord},
		{"corrupt", corrupt, muscle.ErrMalformedKeyRecord, ExitBadKeyRecord},
	}
	for _, tt := range tests {
		region := bytes.Clone(tt.region)
		_, err := LoadKeyRecord(region)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
		if got := KeyRecordExitStatus(err); got != tt.status {
			t.Errorf("%s: exit status %d, want %d", tt.name, got, tt.status)
		}
		if !bytes.Equal(region, make([]byte, len(region))) {
			t.Errorf("%s: the copy of the key region was not wiped", tt.name)
		}
	}
}
