package toolchain

// edits are the changes the port makes to files of the release. Each Old text
// must occur exactly once in its file.
var edits = []edit{
	// The new operating system and its one supported pair.
	{"src/internal/syslist/syslist.go",
		"\t\"wasip1\":    true,\n\t\"windows\":   true,\n\t\"zos\":       true,\n}\n\n// UnixOS",
		"\t\"tamago\":    true,\n\t\"wasip1\":    true,\n\t\"windows\":   true,\n\t\"zos\":       true,\n}\n\n// UnixOS"},
	{"src/internal/platform/zosarch.go",
		"\t{\"js\", \"wasm\"},\n",
		"\t{\"js\", \"wasm\"},\n\t{\"tamago\", \"arm64\"},\n"},
	{"src/internal/platform/zosarch.go",
		"\t{\"js\", \"wasm\"}:         {},\n",
		"\t{\"js\", \"wasm\"}:         {},\n\t{\"tamago\", \"arm64\"}:     {},\n"},
	// Bare-metal images are static ELF executables, linked as for Linux.
	{"src/cmd/internal/objabi/head.go",
		"\tcase \"linux\", \"android\":\n",
		"\tcase \"linux\", \"android\", \"tamago\":\n"},

	// CPU features from the ID registers (internal/cpu/cpu_arm64_tamago.go),
	// so crypto/aes and GCM use the ARMv8 AES and PMULL instructions.
	{"src/internal/cpu/cpu_arm64_other.go",
		"//go:build arm64 && !linux && !freebsd && !android && (!darwin || ios) && !openbsd\n",
		"//go:build arm64 && !linux && !freebsd && !android && (!darwin || ios) && !openbsd && !tamago\n"},

	// GOOSPKG: runtime/goos comes from the module it names.
	{"src/cmd/go/internal/modload/init.go",
		"\t\t// We don't need to update the mod file so return early.\n\t\tloaderstate.requirements = rs\n",
		"\t\t// We don't need to update the mod file so return early.\n\t\tif err := bindGOOSPKG(loaderstate, ctx, rs); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tloaderstate.requirements = rs\n"},
	{"src/cmd/go/internal/modload/init.go",
		"\tloaderstate.requirements = rs\n\treturn loaderstate.requirements, nil\n}\n",
		"\tif err := bindGOOSPKG(loaderstate, ctx, rs); err != nil {\n\t\treturn nil, err\n\t}\n\tloaderstate.requirements = rs\n\treturn loaderstate.requirements, nil\n}\n"},
	{"src/cmd/go/internal/modindex/read.go",
		"\tif strings.Contains(filepath.ToSlash(pkgdir), \"internal/fips140/v\") {\n",
		"\tif strings.Contains(filepath.ToSlash(pkgdir), \"internal/fips140/v\") || strings.HasSuffix(filepath.ToSlash(pkgdir), \"src/runtime/goos\") {\n"},

	// A directory bound with fsys.Bind is a directory at its mount point too.
	{"src/cmd/go/internal/fsys/fsys.go",
		"\tswitch info := stat(path); {\n\tcase info.dir:\n\t\treturn true, nil\n\tcase info.deleted, info.replaced:\n\t\treturn false, nil\n\t}\n\n\tinfo, err := os.Stat(path)\n",
		"\tst := stat(path)\n\tswitch {\n\tcase st.dir:\n\t\treturn true, nil\n\tcase st.deleted, st.file:\n\t\treturn false, nil\n\t}\n\n\tinfo, err := os.Stat(st.actual)\n"},

	// syscall: the copy of syscall_js.go asks no JavaScript host for ids.
	{"src/syscall/syscall_tamago.go",
		"func Getuid() int {\n\treturn jsProcess.Call(\"getuid\").Int()\n}\n\nfunc Getgid() int {\n\treturn jsProcess.Call(\"getgid\").Int()\n}\n\nfunc Geteuid() int {\n\treturn jsProcess.Call(\"geteuid\").Int()\n}\n\nfunc Getegid() int {\n\treturn jsProcess.Call(\"getegid\").Int()\n}\n\nfunc Getgroups() (groups []int, err error) {\n\tdefer recoverErr(&err)\n\tarray := jsProcess.Call(\"getgroups\")\n\tgroups = make([]int, array.Length())\n\tfor i := range groups {\n\t\tgroups[i] = array.Index(i).Int()\n\t}\n\treturn groups, nil\n}\n\nfunc Getpid() int {\n\treturn jsProcess.Get(\"pid\").Int()\n}\n\nfunc Getppid() int {\n\treturn jsProcess.Get(\"ppid\").Int()\n}\n\nfunc Umask(mask int) (oldmask int) {\n\treturn jsProcess.Call(\"umask\", mask).Int()\n}\n\n",
		"// There is one program and no users: it runs as process 1, user and group 0.\nfunc Getuid() int                      { return 0 }\nfunc Getgid() int                      { return 0 }\nfunc Geteuid() int                     { return 0 }\nfunc Getegid() int                     { return 0 }\nfunc Getgroups() (groups []int, err error) { return nil, nil }\nfunc Getpid() int                      { return 1 }\nfunc Getppid() int                     { return 0 }\nfunc Umask(mask int) (oldmask int)     { return 0o022 }\n\n"},

	// The runtime: semaphore-based locks, memory from one linear region, no
	// sysmon thread, no network poller, and the board's hooks for what an OS
	// would do (runtime/os_tamago.go).
	{"src/runtime/lock_sema.go",
		"//go:build aix || darwin || netbsd || openbsd || plan9 || solaris || windows\n",
		"//go:build aix || darwin || netbsd || openbsd || plan9 || solaris || windows || tamago\n"},
	{"src/runtime/lock_sema.go",
		"func beforeIdle(int64, int64) (*g, bool) {\n\treturn nil, false\n}\n",
		"// osIdle, when set, runs when no goroutine is ready and reports whether\n// the scheduler should look again (GOOS=tamago sleeps the CPU there).\nvar osIdle func(now, pollUntil int64) bool\n\nfunc beforeIdle(now, pollUntil int64) (*g, bool) {\n\tif osIdle != nil {\n\t\treturn nil, osIdle(now, pollUntil)\n\t}\n\treturn nil, false\n}\n"},
	{"src/runtime/mem_sbrk.go", "//go:build plan9 || wasm\n", "//go:build plan9 || wasm || tamago\n"},
	{"src/runtime/mem_nonsbrk.go", "//go:build !plan9 && !wasm\n", "//go:build !plan9 && !wasm && !tamago\n"},
	// No cgo on tamago, so load_g/save_g never read the thread pointer;
	// the macro only has to assemble.
	{"src/runtime/tls_arm64.h", "#ifdef GOOS_windows\n", "#ifdef GOOS_tamago\n#define MRS_TPIDR_R0 WORD $0xd53bd040 // MRS TPIDR_EL0, R0\n#endif\n\n#ifdef GOOS_windows\n"},
	{"src/runtime/netpoll.go", "//go:build unix || (js && wasm) || wasip1 || windows\n", "//go:build unix || (js && wasm) || wasip1 || windows || tamago\n"},
	{"src/runtime/netpoll_fake.go", "//go:build js && wasm\n", "//go:build (js && wasm) || tamago\n"},
	{"src/runtime/stubs2.go",
		"//go:build !aix && !darwin && !js && !openbsd && !plan9 && !solaris && !wasip1 && !windows\n",
		"//go:build !aix && !darwin && !js && !openbsd && !plan9 && !solaris && !wasip1 && !windows && !tamago\n"},
	{"src/runtime/stubs3.go",
		"//go:build !aix && !darwin && !freebsd && !openbsd && !plan9 && !solaris && !wasip1\n",
		"//go:build !aix && !darwin && !freebsd && !openbsd && !plan9 && !solaris && !wasip1 && !tamago\n"},
	{"src/runtime/timestub2.go",
		"&& !(linux && amd64) && !plan9\n",
		"&& !(linux && amd64) && !plan9 && !tamago\n"},
	// Seed the runtime's random generator only once the heap exists, as
	// TamaGo's runtime does: randinit reads runtime/goos.InitRNG and
	// GetRandomData (os_tamago.go), and goos documents neither as
	// allocation-free (only Hwinit0 and, before Hwinit1, Nanotime and
	// Printk must be). Board packages allocate there: soc/nxp/imx8mp's
	// InitRNG does `&rng.DRBG{}`, which before mallocinit dereferences a
	// nil mcache, and with no exception vectors yet (they come with
	// Hwinit1) the CPU spins in aborts before printing anything. Upstream
	// seeds before mallocinit only so that the heap base can be randomized
	// (randomizeHeapBase), which an sbrk platform like tamago never does;
	// randinit still precedes alginit and mcommoninit, the other two
	// users of its seed. Other systems keep the upstream order.
	{"src/runtime/proc.go",
		"\trandinit() // must run before mallocinit, alginit, mcommoninit\n\tmallocinit()\n",
		"\tif GOOS != \"tamago\" {\n\t\trandinit() // must run before mallocinit, alginit, mcommoninit\n\t}\n\tmallocinit()\n\tif GOOS == \"tamago\" {\n\t\t// After mallocinit: runtime/goos.InitRNG may allocate\n\t\t// (edits.go); tamago never randomizes its heap base.\n\t\trandinit() // must run before alginit, mcommoninit\n\t}\n"},
	{"src/runtime/proc.go",
		"const haveSysmon = GOARCH != \"wasm\"\n",
		"const haveSysmon = GOARCH != \"wasm\" && GOOS != \"tamago\"\n"},
	// One M, as on wasm: no template thread, no thread locking.
	{"src/runtime/proc.go",
		"func startTemplateThread() {\n\tif GOARCH == \"wasm\" { // no threads on wasm yet\n",
		"func startTemplateThread() {\n\tif (GOARCH == \"wasm\" || GOOS == \"tamago\") { // no threads on wasm yet\n"},
	{"src/runtime/proc.go",
		"\tif GOARCH == \"wasm\" { // no threads yet on wasm\n\t\tgfput(pp, gp)\n",
		"\tif (GOARCH == \"wasm\" || GOOS == \"tamago\") { // no threads yet on wasm\n\t\tgfput(pp, gp)\n"},
	{"src/runtime/proc.go",
		"func dolockOSThread() {\n\tif GOARCH == \"wasm\" {\n",
		"func dolockOSThread() {\n\tif (GOARCH == \"wasm\" || GOOS == \"tamago\") {\n"},
	{"src/runtime/proc.go",
		"func dounlockOSThread() {\n\tif GOARCH == \"wasm\" {\n",
		"func dounlockOSThread() {\n\tif (GOARCH == \"wasm\" || GOOS == \"tamago\") {\n"},
	// Bare metal has no virtual address space to spare: heap addresses of
	// 40 bits and 4 MiB arenas, as on iOS, keep the arena index and the page
	// allocator's summaries small, since every reservation is real RAM here.
	{"src/runtime/malloc.go",
		"(1-goos.IsIos*goarch.IsArm64))*48 + (1-_64bit+goarch.IsWasm)*(32-(goarch.IsMips+goarch.IsMipsle)) + 40*goos.IsIos*goarch.IsArm64\n",
		"(1-(goos.IsIos+goos.IsTamago)*goarch.IsArm64))*48 + (1-_64bit+goarch.IsWasm)*(32-(goarch.IsMips+goarch.IsMipsle)) + 40*(goos.IsIos+goos.IsTamago)*goarch.IsArm64\n"},
	{"src/runtime/malloc.go",
		"(1-goarch.IsWasm)*(1-goos.IsIos*goarch.IsArm64)) + (2+20)*(_64bit*goos.IsWindows) + (2+20)*(1-_64bit) + (9+10)*goarch.IsWasm + (2+20)*goos.IsIos*goarch.IsArm64\n",
		"(1-goarch.IsWasm)*(1-(goos.IsIos+goos.IsTamago)*goarch.IsArm64)) + (2+20)*(_64bit*goos.IsWindows) + (2+20)*(1-_64bit) + (9+10)*goarch.IsWasm + (2+20)*(goos.IsIos+goos.IsTamago)*goarch.IsArm64\n"},
}

// jsCopies are js and wasm files (paths under src) that tamago shares as
// copies.
var jsCopies = []string{
	"syscall/syscall_js.go",
	"syscall/tables_js.go",
	"syscall/net_js.go",
	"os/sys_js.go",
	"os/stat_js.go",
	"os/root_js.go",
	"os/dirent_js.go",
	"net/rlimit_js.go",
	"net/fd_js.go",
	"internal/syscall/unix/at_js.go",
	"internal/syscall/unix/net_js.go",
	"internal/syscall/unix/nonblocking_js.go",
	"internal/syscall/unix/fcntl_js.go",
	"internal/poll/fd_poll_js.go",
	"os/executable_wasm.go",
	"os/pipe_wasm.go",
	"os/exec/lp_wasm.go",
	"testing/run_example_wasm.go",
	"crypto/x509/root_wasm.go",
}

// constraintDirs are the package directories (under src) whose js branches
// tamago takes.
var constraintDirs = []string{
	"syscall",
	"os",
	"os/signal",
	"os/user",
	"os/exec",
	"internal/poll",
	"internal/syscall/unix",
	"internal/filepathlite",
	"internal/testenv",
	"path/filepath",
	"time",
	"mime",
	"net",
	"net/http",
	"net/internal/socktest",
	"crypto/x509",
	"testing",
}

// constraintSkip are files whose js constraint must stay as it is.
var constraintSkip = map[string]bool{
	// The js RoundTrip uses the browser's fetch; tamago keeps Go's own.
	"net/http/roundtrip.go": true,
}
