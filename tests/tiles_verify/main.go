// tiles_verify checks a directory written by `ledgerctl export --tiles DIR`
// with Go's reference transparency-log code, golang.org/x/mod/sumdb/tlog and
// golang.org/x/mod/sumdb/note, and nothing of ledgerd's: the point of the
// test (tests/integration/tiles.sh) is that an auditor who never saw this
// project's C code can check the published ledger from the files alone.
//
// From DIR alone it checks, in this order:
//
//  1. DIR/checkpoint is a signed note that verifies under the log's verifier
//     key (note.Open), and its body is a C2SP tlog-checkpoint whose origin is
//     the key's name;
//  2. the tree hash computed from the hash tiles (tlog.TileHashReader, which
//     authenticates every tile it reads against the checkpoint's root, and
//     tlog.TreeHash) equals the checkpoint's root;
//  3. every entry bundle holds exactly the entries its width says, each a
//     big-endian uint16 length and the entry's bytes, and each entry's
//     RFC 6962 record hash (tlog.RecordHash) is the level-0 hash the tiles
//     hold for it, proven by an inclusion proof (tlog.ProveRecord, checked
//     with tlog.CheckRecord against the signed root);
//  4. with -old FILE (a checkpoint saved from an earlier export), that the
//     current tree extends it: tlog.ProveTree / tlog.CheckTree from the old
//     size and root to the new ones, and TreeHash at the old size.
//
// C2SP tlog-tiles names tiles tile/<L>/<N>[.p/<W>] and entry bundles
// tile/entries/<N>[.p/<W>]; Go's tlog names them tile/<H>/<L>/... with the
// height in the path (the sumdb layout), so the reader below maps Go's path
// onto the C2SP one. Built offline in GOPATH mode against Debian's
// golang-golang-x-mod-dev; it uses only that package and the standard
// library.
//
// Exit status: 0 all checks passed, 1 a check failed (the reason on
// stderr), 2 usage.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8 // C2SP tlog-tiles: tiles are 256 hashes wide

// dirTiles serves hash tiles from a directory in the C2SP layout.
type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return height }

// c2spPath turns Go's "tile/8/0/x001/234.p/5" into C2SP's "tile/0/x001/234.p/5"
// and Go's data tile "tile/8/data/..." into "tile/entries/...".
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := filepath.Join(d.dir, filepath.FromSlash(c2spPath(t)))
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", p, len(b), t.W*tlog.HashSize)
		}
		out[i] = b
	}
	return out, nil
}

func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies a signed note with v and parses its body.
func openCheckpoint(path string, v note.Verifier) (checkpoint, error) {
	var c checkpoint
	msg, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return c, fmt.Errorf("%s: signature: %v", path, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return c, fmt.Errorf("%s: not a checkpoint body", path)
	}
	c.origin = lines[0]
	if c.origin != v.Name() {
		return c, fmt.Errorf("%s: origin %q is not the key's name %q", path, c.origin, v.Name())
	}
	c.size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || c.size < 0 || strconv.FormatInt(c.size, 10) != lines[1] {
		return c, fmt.Errorf("%s: bad tree size %q", path, lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("%s: bad root hash %q", path, lines[2])
	}
	copy(c.root[:], root)
	return c, nil
}

// bundle reads entry bundle k of a tree of size n and returns its entries.
func bundle(dir string, k, n int64) ([][]byte, error) {
	w := n - k*(1<<height)
	if w > 1<<height {
		w = 1 << height
	}
	t := tlog.Tile{H: height, L: -1, N: k, W: int(w)}
	p := filepath.Join(dir, filepath.FromSlash(c2spPath(t)))
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("%s: truncated length", p)
		}
		l := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+l {
			return nil, fmt.Errorf("%s: entry %d truncated", p, len(out))
		}
		out = append(out, b[2:2+l])
		b = b[2+l:]
	}
	if int64(len(out)) != w {
		return nil, fmt.Errorf("%s: %d entries, want %d", p, len(out), w)
	}
	return out, nil
}

func run(dir, vkeyFile, oldFile string) error {
	vkey, err := os.ReadFile(vkeyFile)
	if err != nil {
		return err
	}
	v, err := note.NewVerifier(string(bytes.TrimSpace(vkey)))
	if err != nil {
		return fmt.Errorf("verifier key: %v", err)
	}
	c, err := openCheckpoint(filepath.Join(dir, "checkpoint"), v)
	if err != nil {
		return err
	}
	fmt.Printf("checkpoint: signature verified, origin %s, size %d, root %s\n", c.origin, c.size, c.root)

	hr := tlog.TileHashReader(tlog.Tree{N: c.size, Hash: c.root}, dirTiles{dir})
	th, err := tlog.TreeHash(c.size, hr)
	if err != nil {
		return fmt.Errorf("tree hash from the tiles: %v", err)
	}
	if th != c.root {
		return fmt.Errorf("tree hash from the tiles %s, checkpoint root %s", th, c.root)
	}
	fmt.Printf("tree hash from the tiles: equals the checkpoint's root\n")

	proven := 0
	for k := int64(0); k*(1<<height) < c.size; k++ {
		entries, err := bundle(dir, k, c.size)
		if err != nil {
			return err
		}
		for i, data := range entries {
			idx := k*(1<<height) + int64(i)
			leaf := tlog.RecordHash(data)
			hs, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, idx)})
			if err != nil {
				return fmt.Errorf("leaf %d: %v", idx, err)
			}
			if hs[0] != leaf {
				return fmt.Errorf("entry %d (seq %d): its record hash %s is not the tiles' leaf hash %s", idx, idx+1, leaf, hs[0])
			}
			p, err := tlog.ProveRecord(c.size, idx, hr)
			if err != nil {
				return fmt.Errorf("inclusion proof of entry %d: %v", idx, err)
			}
			if err := tlog.CheckRecord(p, c.size, c.root, idx, leaf); err != nil {
				return fmt.Errorf("inclusion proof of entry %d does not verify: %v", idx, err)
			}
			proven++
		}
	}
	if int64(proven) != c.size {
		return fmt.Errorf("%d entries in the bundles, checkpoint size %d", proven, c.size)
	}
	fmt.Printf("entry bundles: %d entries, each proven included in the signed tree\n", proven)

	if oldFile != "" {
		old, err := openCheckpoint(oldFile, v)
		if err != nil {
			return err
		}
		if old.size > c.size {
			return fmt.Errorf("old checkpoint size %d is beyond the current %d", old.size, c.size)
		}
		oh, err := tlog.TreeHash(old.size, hr)
		if err != nil {
			return fmt.Errorf("tree hash at the old size %d: %v", old.size, err)
		}
		if oh != old.root {
			return fmt.Errorf("tree hash at the old size %d is %s, the old checkpoint says %s", old.size, oh, old.root)
		}
		p, err := tlog.ProveTree(c.size, old.size, hr)
		if err != nil {
			return fmt.Errorf("consistency proof %d -> %d: %v", old.size, c.size, err)
		}
		if err := tlog.CheckTree(p, c.size, c.root, old.size, old.root); err != nil {
			return fmt.Errorf("consistency proof %d -> %d does not verify: %v", old.size, c.size, err)
		}
		fmt.Printf("consistency: size %d extends the old checkpoint of size %d (%d-hash proof)\n", c.size, old.size, len(p))
	}
	return nil
}

func main() {
	dir := flag.String("dir", "", "the directory `ledgerctl export --tiles` wrote")
	vkey := flag.String("vkey", "", "file holding the log's verifier key (ledgerd --print-verifier)")
	old := flag.String("old", "", "an earlier checkpoint the current tree must extend")
	flag.Parse()
	if *dir == "" || *vkey == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: tiles_verify -dir DIR -vkey FILE [-old CHECKPOINT]")
		os.Exit(2)
	}
	if err := run(*dir, *vkey, *old); err != nil {
		fmt.Fprintln(os.Stderr, "tiles_verify:", err)
		os.Exit(1)
	}
	fmt.Println("tiles_verify: ok")
}
