# The front door. `make qemu` boots the image, `make test` runs every test;
# both set up what they need first (QEMU from Debian, the project's own
# TamaGo-compatible Go toolchain), saying what they do. `make sdcard
# BOARD=rpi4b` writes a Raspberry Pi 4's SD-card image.
#
# Variables:
#   BOARD=NAME           the board: virt (QEMU's virt, the default),
#                        imx8mpevk (NXP 8MPLUSLPD4-EVK; QEMU's imx8mp-evk) or
#                        rpi4b (Raspberry Pi 4 Model B; QEMU's raspi4b)
#   TAMAGO=/path/to/go   use another TamaGo-compatible go (e.g. the official
#                        tamago-go) instead of bootstrapping ours
#   KEYS=FILE            master-key record loaded at the board's key region;
#                        default: a development record under dev-keys/,
#                        created on first use (git-ignored)
#   MUSCLES=FILE         muscle bundle: make image builds it into the image
#                        (for boards with no loader); make qemu boots that
#                        image; default for make qemu: the example models,
#                        compiled, sealed with the development keys and
#                        loaded at the board's bundle region
#   STATE=FILE           make qemu: the state disk holding the sealed store
#                        (trained state, version floors); default
#                        build/state-BOARD.img, created empty on first use
#                        (boards with a state medium: virt, imx8mpevk)
#   CONSOLE=PATH         make qemu puts the console on a Unix socket at PATH
#                        for tools/console (QEMU waits for it to connect)
#   FIRMWARE=DIR         make sdcard: the Pi 4's GPU firmware (start4.elf,
#                        fixup4.dat); default: Debian's raspi-firmware package
#                        (/usr/lib/raspi-firmware); `make firmware` downloads
#                        it, uninstalled, into build/raspi-firmware
#   SDCARD=FILE          make sdcard's output (build/sdcard-rpi4b.img)
#   EXIT_STATUS=N        tests only: the image powers off with status N

GO ?= go
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false

BOARD ?= virt
IMAGE := build/referee-$(BOARD).elf
DEV_KEYS := dev-keys
KEYS ?= $(DEV_KEYS)/keyrecord.bin
EXAMPLES := $(wildcard compiler/frontend/testdata/models/*.py compiler/frontend/testdata/models/*.onnx)
# The data files the examples np.load (their weights).
EXAMPLE_DATA := $(wildcard compiler/frontend/testdata/models/*.npy compiler/frontend/testdata/models/*.npz)
MUSCLES ?= build/examples.cpio
# A bundle named on the command line is built into the image.
EMBED := $(filter command line,$(origin MUSCLES))

SDCARD ?= build/sdcard-rpi4b.img
FIRMWARE_DIR := build/raspi-firmware

.PHONY: all help deps toolchain image qemu sdcard sdcard-board firmware test vet fuzz bench clean

all: image

help:
	@sed -n '1,32p' Makefile | sed 's/^# \{0,1\}//'
	@echo "targets: toolchain image qemu sdcard firmware test bench clean"

deps:
	@./qemu/deps.sh

toolchain:
ifdef TAMAGO
	@echo "toolchain: using TAMAGO=$(TAMAGO)"
else
	@$(GO) run ./tools/toolchain/cmd/toolchain >/dev/null
endif

image: toolchain
	$(GO) run ./tools/mkimage -board $(BOARD) -o $(IMAGE) $(if $(EXIT_STATUS),-exit-status $(EXIT_STATUS)) $(if $(EMBED),-bundle $(MUSCLES))

$(DEV_KEYS)/keyrecord.bin:
	@echo "keys: creating a development master-key record and publisher in $(DEV_KEYS)/ (git-ignored)"
	@$(GO) run ./tools/muscle keygen -o $(DEV_KEYS)

# The launcher is built rather than `go run`, so that make's exit status is
# the image's. Leave the console with `poweroff` (or Ctrl-A x).
# The example models, compiled by musclec and sealed with the development
# publisher's keys, in one bundle signed by that publisher (its index).
build/examples.cpio: $(DEV_KEYS)/keyrecord.bin $(EXAMPLES) $(EXAMPLE_DATA)
	@mkdir -p build/examples
	@$(GO) build -o build/musclec ./tools/musclec
	@$(GO) build -o build/muscle ./tools/muscle
	@sk=$$(ls $(DEV_KEYS)/*.sealing) && sg=$$(ls $(DEV_KEYS)/*.signing) && \
	for m in $(EXAMPLES); do \
		n=$$(basename $$m); build/musclec build $$m -o build/examples/$${n%.*}.muscle --force \
			--sealing-key $$sk --signer $$sg --caps forward,train,persist || exit 1; \
	done && \
	build/muscle bundle --force --signer $$sg -o $@ build/examples/*.muscle

qemu: deps image $(KEYS) $(MUSCLES)
	@$(GO) build -o build/qemu-run ./qemu/run
	@build/qemu-run -board $(BOARD) -kernel $(IMAGE) -keys $(KEYS) $(if $(EMBED),,-muscles $(MUSCLES)) $(if $(CONSOLE),-console $(CONSOLE)) \
		$(if $(STATE),-state $(STATE),-default-state build/state-$(BOARD).img)

# The Raspberry Pi 4's SD card: the image for BOARD=rpi4b, the key record
# and the muscle bundle (MUSCLES, on the card beside the image, never built
# into it), the GPU firmware, and config.txt (tools/sdcard).
sdcard: sdcard-board toolchain $(KEYS) $(MUSCLES)
	$(GO) run ./tools/mkimage -board $(BOARD) -o $(IMAGE)
	@$(GO) run ./tools/mksdcard -kernel $(IMAGE) -keys $(KEYS) -muscles $(MUSCLES) $(if $(FIRMWARE),-firmware $(FIRMWARE)) -o $(SDCARD)

sdcard-board:
	@if [ "$(BOARD)" != rpi4b ]; then echo "make sdcard: the SD card is for BOARD=rpi4b (make sdcard BOARD=rpi4b), not BOARD=$(BOARD)" >&2; exit 2; fi

# Debian's raspi-firmware, downloaded and unpacked (never installed) into
# build/raspi-firmware, for make sdcard FIRMWARE=build/raspi-firmware and
# the SD-card test.
firmware:
	@./tools/raspi-firmware.sh $(FIRMWARE_DIR)

# The go command that builds for tamago: TAMAGO, or the bootstrapped one.
TAMAGO_GO = $(if $(TAMAGO),$(TAMAGO),$(shell $(GO) run ./tools/toolchain/cmd/toolchain -quiet))

vet: toolchain
	$(GO) vet ./...
	GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago $(TAMAGO_GO) vet ./kernel/... ./board/... ./muscle/... ./referee/...
	GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago $(TAMAGO_GO) vet -tags imx8mpevk,linkramsize,diag ./kernel/... ./board/...
	GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago $(TAMAGO_GO) vet -tags rpi4b,linkcpuinit,diag ./kernel/... ./board/...

test: deps toolchain firmware vet
	$(GO) test -count=1 -timeout 60m ./...
	@$(MAKE) --no-print-directory fuzz

# Every fuzz target for a bounded number of executions (FUZZTIME each: a
# count, because a duration trips a shutdown race in Go 1.26's fuzz
# coordinator, golang/go#75804, that fails a clean run with "context
# deadline exceeded"; 500000x is 10-20 s a target here). The seed corpora
# under testdata/fuzz also run as plain tests in `go test`.
FUZZTIME ?= 500000x
FUZZ_TARGETS := \
	./muscle/:FuzzOpen ./muscle/:FuzzParseHeader ./muscle/:FuzzParseKeyRecord \
	./muscle/:FuzzParseManifest ./muscle/:FuzzParseIndex ./muscle/bundle/:FuzzParse \
	./board/fdt/:FuzzWalk ./compiler/python/:FuzzParse ./compiler/npy/:FuzzParse ./referee/verify/:FuzzVerify \
	./referee/console/:FuzzExecute ./referee/console/:FuzzUploadFraming ./referee/audit/:FuzzNoise \
	./referee/store/:FuzzScan ./referee/persist/:FuzzUnmarshal ./compiler/onnx/:FuzzDecode

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

bench: deps toolchain
	$(GO) test -run '^$$' -bench . -benchtime 1x ./qemu/
	$(GO) test -run '^$$' -bench . ./muscle/
	$(GO) test -run '^$$' -bench . -benchtime 1x ./compiler/bench/

clean:
	rm -rf build
