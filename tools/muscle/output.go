package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/verify"
	"github.com/muscles/referee/tools/internal/cli"
)

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// kinds names each sentinel for --json output, most specific first.
var kinds = []struct {
	err  error
	name string
}{
	{muscle.ErrNotMuscle, "not-muscle"},
	{muscle.ErrTruncated, "truncated"},
	{muscle.ErrUnsupportedVersion, "unsupported-version"},
	{muscle.ErrUnsupportedArch, "unsupported-arch"},
	{muscle.ErrUnknownPublisher, "unknown-publisher"},
	{muscle.ErrTampered, "tampered"},
	{muscle.ErrCapability, "capability"},
	{muscle.ErrRollback, "rollback"},
	{muscle.ErrWrongKey, "wrong-key"},
	{muscle.ErrBadManifest, "bad-manifest"},
	{muscle.ErrNoKeyRecord, "no-key-record"},
	{muscle.ErrMalformedKeyRecord, "malformed-key-record"},
	{muscle.ErrMalformedKeyFile, "malformed-key-file"},
	{muscle.ErrMalformed, "malformed"},
	{muscle.ErrInvalidInput, "invalid-input"},
	{bundle.ErrNoBundle, "no-bundle"},
	{bundle.ErrTruncated, "truncated"},
	{bundle.ErrMalformed, "malformed-bundle"},
	{fs.ErrExist, "exists"},
	{fs.ErrNotExist, "not-found"},
}

func errorKind(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	var ve *verify.Error
	if errors.As(err, &ve) {
		return "machine-code"
	}
	var ee *cli.ExitError
	if errors.As(err, &ee) && ee.Code == exitUsage {
		return "usage"
	}
	return "error"
}

// writeFile writes data to path, refusing to replace an existing file
// unless force; private files are created with mode 0600.
func writeFile(path string, data []byte, force, private bool) error {
	perm := os.FileMode(0o644)
	if private {
		perm = 0o600
	}
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return cli.Wrap(exitFile, fmt.Errorf("%s exists; refusing to overwrite it (use --force): %w", path, fs.ErrExist))
			}
			return cli.Wrap(exitFile, err)
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return cli.Wrap(exitFile, err)
		}
		return nil
	}
	return replaceFile(path, data, perm)
}

// replaceFile writes data next to path and renames it over path.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return cli.Wrap(exitFile, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return cli.Wrap(exitFile, err)
	}
	return nil
}

// exists reports whether path exists, for checks made before any write.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// readKeyRecord reads and parses a master-key record file, wiping the raw
// bytes; the caller wipes the record when done.
func readKeyRecord(path string) (*muscle.KeyRecord, error) {
	raw, err := cli.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rec, err := muscle.ParseKeyRecord(raw)
	clear(raw)
	if err != nil {
		return nil, cli.Reject(path, err)
	}
	return rec, nil
}
