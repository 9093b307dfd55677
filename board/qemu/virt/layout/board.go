package layout

import "github.com/muscles/referee/board"

// Layout is the memory map in the board contract's terms.
var Layout = &board.Layout{
	Board:     "virt",
	DRAMStart: DRAMStart, DRAMSize: DRAMSize,
	RAM:       board.Region{Name: "runtime ram", Start: RAMStart, End: RAMEnd},
	TextStart: TextStart, TextRound: TextRound,
	KeyRecord: board.Region{Name: "key record", Start: KeyRecordStart, End: KeyRecordStart + KeyRecordMax},
	Bundle:    board.Region{Name: "muscle bundle", Start: BundleStart, End: BundleStart + BundleMax},
	Others: []board.Region{
		{Name: "dtb", Start: DTBStart, End: DTBStart + DTBMax},
		{Name: "dma", Start: DMAStart, End: DMAStart + DMASize},
	},
}
