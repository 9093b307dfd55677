package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/tools/internal/cli"
)

var keygenCmd = &command{
	name: "keygen",
	args: "-o DIR [--caps LIST] [--min-version NAME=N]... [--force] [--json]\n       muscle keygen add-publisher --record FILE [-o DIR] [--caps LIST] [--public-key FILE] [--force] [--json]",
	help: `keygen creates a master key and its key record (DIR/keyrecord.bin, the file
the board loads at the key region, 0x9000_0000 on QEMU virt) and a first
publisher: its sealing key (DIR/ID.sealing), Ed25519 signing key
(DIR/ID.signing) and public key (DIR/ID.pub), ID being the publisher id.
The record holds the master key: keep it with the provisioning authority and
the device only; publishers get their .sealing and .signing files.

keygen add-publisher adds a publisher to an existing record (rewritten in
place) and writes its key files to DIR (default: the record's directory). With
--public-key the publisher keeps its own signing key and only its public key
file is read.

Existing files are never overwritten without --force.`,
	run: runKeygen,
}

func runKeygen(c *ctx, cmd *command, args []string) error {
	if len(args) > 0 && args[0] == "add-publisher" {
		return runAddPublisher(c, cmd, args[1:])
	}
	fs := c.newFlags(cmd)
	out := fs.String("o", "", "output directory (created if missing)")
	caps := fs.String("caps", "all", "capabilities the first publisher may grant: forward,train,persist, all or none")
	force := fs.Bool("force", false, "overwrite existing files")
	var minv multiFlag
	fs.Var(&minv, "min-version", "lowest acceptable version of a muscle, NAME=N (repeatable)")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) != 0 {
		return cli.Fail(exitUsage, "want -o DIR and no file arguments")
	}
	grants, err := muscle.ParseCapabilities(*caps)
	if err != nil {
		return cli.Fail(exitUsage, "--caps: %v", err)
	}
	mins, err := parseMinVersions(minv)
	if err != nil {
		return cli.Fail(exitUsage, "%v", err)
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return cli.Wrap(exitFile, err)
	}
	recordPath := filepath.Join(*out, "keyrecord.bin")
	if !*force && exists(recordPath) {
		return cli.Fail(exitFile, "%s exists; refusing to overwrite it (use --force)", recordPath)
	}

	var master [muscle.KeySize]byte
	if _, err := rand.Read(master[:]); err != nil {
		return cli.Fail(exitFailure, "random source: %v", err)
	}
	rec, err := muscle.NewKeyRecord(master[:])
	clear(master[:])
	if err != nil {
		return cli.Fail(exitFailure, "%v", err)
	}
	defer rec.Wipe()
	for name, v := range mins {
		if err := rec.SetMinVersion(name, v); err != nil {
			return cli.Fail(exitUsage, "%v", err)
		}
	}
	signer, err := newSigner()
	if err != nil {
		return err
	}
	defer signer.Wipe()
	pub, err := addPublisher(rec, signer.Public(), grants)
	if err != nil {
		return err
	}
	sealing := rec.SealingKey(pub.ID)
	defer sealing.Wipe()
	paths := publisherPaths(*out, pub.ID)
	if !*force {
		for _, p := range []string{paths.sealing, paths.signing, paths.public} {
			if exists(p) {
				return cli.Fail(exitFile, "%s exists; refusing to overwrite it (use --force)", p)
			}
		}
	}
	recBytes, err := rec.MarshalBinary()
	if err != nil {
		return cli.Fail(exitFailure, "%v", err)
	}
	if err := writeFile(recordPath, recBytes, *force, true); err != nil {
		return err
	}
	if err := writeKeyFiles(paths, sealing, signer, signer.Public(), *force); err != nil {
		return err
	}
	return c.reportKeys(recordPath, rec, pub, paths, true)
}

func runAddPublisher(c *ctx, parent *command, args []string) error {
	cmd := &command{name: "keygen add-publisher", args: "--record FILE [-o DIR] [--caps LIST] [--public-key FILE] [--force] [--json]", help: parent.help}
	fs := c.newFlags(cmd)
	recordPath := fs.String("record", "", "the key record to add the publisher to (rewritten in place)")
	out := fs.String("o", "", "directory for the publisher's key files (default: the record's)")
	caps := fs.String("caps", "forward", "capabilities the publisher may grant: forward,train,persist, all or none")
	pubPath := fs.String("public-key", "", "the publisher's own public key file; no signing key is generated")
	force := fs.Bool("force", false, "overwrite existing key files")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *recordPath == "" || len(pos) != 0 {
		return cli.Fail(exitUsage, "want --record FILE and no file arguments")
	}
	if *out == "" {
		*out = filepath.Dir(*recordPath)
	}
	grants, err := muscle.ParseCapabilities(*caps)
	if err != nil {
		return cli.Fail(exitUsage, "--caps: %v", err)
	}
	rec, err := readKeyRecord(*recordPath)
	if err != nil {
		return err
	}
	defer rec.Wipe()

	var signer *muscle.SigningKey
	var public *muscle.PublicKey
	if *pubPath != "" {
		b, err := cli.ReadFile(*pubPath)
		if err != nil {
			return err
		}
		if public, err = muscle.ParsePublicKey(b); err != nil {
			return cli.Reject(*pubPath, err)
		}
	} else {
		if signer, err = newSigner(); err != nil {
			return err
		}
		defer signer.Wipe()
		public = signer.Public()
	}
	pub, err := addPublisher(rec, public, grants)
	if err != nil {
		return err
	}
	sealing := rec.SealingKey(pub.ID)
	defer sealing.Wipe()
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return cli.Wrap(exitFile, err)
	}
	paths := publisherPaths(*out, pub.ID)
	if signer == nil {
		paths.signing = ""
	}
	if !*force {
		for _, p := range []string{paths.sealing, paths.signing, paths.public} {
			if p != "" && exists(p) {
				return cli.Fail(exitFile, "%s exists; refusing to overwrite it (use --force)", p)
			}
		}
	}
	recBytes, err := rec.MarshalBinary()
	if err != nil {
		return cli.Fail(exitFailure, "%v", err)
	}
	if err := writeKeyFiles(paths, sealing, signer, public, *force); err != nil {
		return err
	}
	if err := replaceFile(*recordPath, recBytes, 0o600); err != nil {
		return err
	}
	return c.reportKeys(*recordPath, rec, pub, paths, false)
}

func newSigner() (*muscle.SigningKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, cli.Fail(exitFailure, "random source: %v", err)
	}
	return &muscle.SigningKey{Publisher: muscle.PublisherIDFor(priv.Public().(ed25519.PublicKey)), Key: priv}, nil
}

func addPublisher(rec *muscle.KeyRecord, pk *muscle.PublicKey, grants muscle.Capabilities) (muscle.Publisher, error) {
	p := muscle.Publisher{ID: pk.Publisher, PublicKey: pk.Key, Grants: grants}
	if err := rec.AddPublisher(p); err != nil {
		return p, cli.Reject("key record", err)
	}
	return p, nil
}

type keyPaths struct{ sealing, signing, public string }

func publisherPaths(dir string, id muscle.PublisherID) keyPaths {
	base := filepath.Join(dir, id.String())
	return keyPaths{base + ".sealing", base + ".signing", base + ".pub"}
}

func writeKeyFiles(p keyPaths, sealing *muscle.SealingKey, signer *muscle.SigningKey, public *muscle.PublicKey, force bool) error {
	b, _ := sealing.MarshalBinary()
	err := writeFile(p.sealing, b, force, true)
	clear(b)
	if err != nil {
		return err
	}
	if signer != nil {
		b, err := signer.MarshalBinary()
		if err != nil {
			return cli.Fail(exitFailure, "%v", err)
		}
		err = writeFile(p.signing, b, force, true)
		clear(b)
		if err != nil {
			return err
		}
	}
	b, err = public.MarshalBinary()
	if err != nil {
		return cli.Fail(exitFailure, "%v", err)
	}
	return writeFile(p.public, b, force, false)
}

// reportKeys prints what keygen made: ids, fingerprints and paths, no keys.
func (c *ctx) reportKeys(recordPath string, rec *muscle.KeyRecord, pub muscle.Publisher, p keyPaths, first bool) error {
	fp := muscle.Fingerprint(pub.PublicKey)
	if c.json {
		writeJSON(c.stdout, map[string]any{
			"key_record": recordPath, "key_id": rec.ID.String(), "publishers": len(rec.Publishers),
			"publisher": map[string]any{
				"id": pub.ID.String(), "grants": pub.Grants.Names(), "public_key_fingerprint": fp,
				"sealing_key_file": p.sealing, "signing_key_file": p.signing, "public_key_file": p.public,
			},
		})
		return nil
	}
	if first {
		fmt.Fprintf(c.stdout, "key record  %s (key id %s)\n", recordPath, rec.ID)
	} else {
		fmt.Fprintf(c.stdout, "key record  %s (key id %s, now %d publishers)\n", recordPath, rec.ID, len(rec.Publishers))
	}
	fmt.Fprintf(c.stdout, "publisher   %s grants %s (public key fingerprint %s)\n", pub.ID, pub.Grants, fp)
	fmt.Fprintf(c.stdout, "  sealing   %s\n", p.sealing)
	if p.signing != "" {
		fmt.Fprintf(c.stdout, "  signing   %s\n", p.signing)
	}
	fmt.Fprintf(c.stdout, "  public    %s\n", p.public)
	return nil
}
