// Package fdt reads a flattened device tree (the Devicetree Specification,
// chapter 5, "Flattened Devicetree (DTB) Format") in place: it validates the
// header and walks the structure block without allocating, so a board can
// use it before the Go runtime has a heap (for the boot entropy seed) as well
// as after (to find devices).
//
// It only reads; it does not build a tree of nodes.
package fdt

import (
	"encoding/binary"
	"errors"
)

// Magic is the first word of every DTB.
const Magic = 0xd00dfeed

const (
	tokenBeginNode = 1
	tokenEndNode   = 2
	tokenProp      = 3
	tokenNop       = 4
	tokenEnd       = 9
	headerSize     = 40
)

// Errors are fixed values, so that reporting one allocates nothing.
var (
	ErrNotFound  = errors.New("fdt: node or property not found")
	ErrTruncated = errors.New("fdt: blob shorter than its header says")
	ErrBadMagic  = errors.New("fdt: no device tree magic")
	ErrMalformed = errors.New("fdt: malformed structure block")
)

// Tree is a validated DTB.
type Tree struct {
	data    []byte
	structs []byte
	strs    []byte
}

// Parse checks the header of the DTB at the start of b.
func Parse(b []byte) (Tree, error) {
	if len(b) < headerSize {
		return Tree{}, ErrTruncated
	}
	be := binary.BigEndian
	if be.Uint32(b) != Magic {
		return Tree{}, ErrBadMagic
	}
	total := be.Uint32(b[4:])
	if total < headerSize || uint64(total) > uint64(len(b)) {
		return Tree{}, ErrTruncated
	}
	b = b[:total]
	offStruct, offStrings := be.Uint32(b[8:]), be.Uint32(b[12:])
	sizeStrings, sizeStruct := be.Uint32(b[32:]), be.Uint32(b[36:])
	if uint64(offStruct)+uint64(sizeStruct) > uint64(total) || uint64(offStrings)+uint64(sizeStrings) > uint64(total) {
		return Tree{}, ErrMalformed
	}
	return Tree{data: b, structs: b[offStruct : offStruct+sizeStruct], strs: b[offStrings : offStrings+sizeStrings]}, nil
}

// Size is the total size of the DTB.
func (t Tree) Size() int { return len(t.data) }

// Visitor is called for each property: the depth of its node (the root is
// 0), the node's name (unit address included) and the property's name and
// value. Returning false stops the walk. The slices point into the DTB.
type Visitor func(depth int, node, prop, value []byte) bool

// Walk visits every property in tree order.
func (t Tree) Walk(visit Visitor) error {
	s := t.structs
	depth := -1
	var node []byte
	for off := 0; ; {
		if off+4 > len(s) {
			return ErrMalformed
		}
		tok := binary.BigEndian.Uint32(s[off:])
		off += 4
		switch tok {
		case tokenBeginNode:
			end := off
			for end < len(s) && s[end] != 0 {
				end++
			}
			if end >= len(s) {
				return ErrMalformed
			}
			node = s[off:end]
			depth++
			off = align4(end + 1)
		case tokenEndNode:
			depth--
			if depth < -1 {
				return ErrMalformed
			}
		case tokenProp:
			if off+8 > len(s) {
				return ErrMalformed
			}
			n := int(binary.BigEndian.Uint32(s[off:]))
			nameOff := int(binary.BigEndian.Uint32(s[off+4:]))
			off += 8
			if n < 0 || off+n > len(s) || nameOff >= len(t.strs) {
				return ErrMalformed
			}
			name := t.strs[nameOff:]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if !visit(depth, node, name, s[off:off+n]) {
				return nil
			}
			off = align4(off + n)
		case tokenNop:
		case tokenEnd:
			return nil
		default:
			return ErrMalformed
		}
	}
}

// Property returns the value of property prop of the node at depth 1 named
// node (for example "secure-chosen" or "memory@40000000"), or of the root
// node when node is "".
func (t Tree) Property(node, prop string) ([]byte, error) {
	var found []byte
	ok := false
	err := t.Walk(func(depth int, n, p, v []byte) bool {
		match := (node == "" && depth == 0) || (depth == 1 && string(n) == node)
		if match && string(p) == prop {
			found, ok = v, true
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return found, nil
}

func align4(n int) int { return (n + 3) &^ 3 }
