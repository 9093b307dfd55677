// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

package syscall

// Bare metal has no file system. Standard output and error go to the board's
// console (runtime/goos.Printk); everything else that names a file or a
// directory fails with ENOSYS, so code written for an OS builds and reports
// the error at run time.

// Provided by package runtime.
func now() (sec int64, nsec int32)

// Provided by package runtime: writes to the console.
func consoleWrite(fd uintptr, b []byte) int32

func Open(path string, openmode int, perm uint32) (int, error) {
	if err := checkPath(path); err != nil {
		return -1, err
	}
	return -1, ENOSYS
}

func Close(fd int) error {
	if fd >= 0 && fd <= 2 {
		return nil
	}
	return EBADF
}

func CloseOnExec(fd int) {}

func Mkdir(path string, perm uint32) error               { return ENOSYS }
func ReadDirent(fd int, buf []byte) (int, error)         { return 0, ENOSYS }
func Stat(path string, st *Stat_t) error                 { return ENOSYS }
func Lstat(path string, st *Stat_t) error                { return ENOSYS }
func Unlink(path string) error                           { return ENOSYS }
func Rmdir(path string) error                            { return ENOSYS }
func Chmod(path string, mode uint32) error               { return ENOSYS }
func Fchmod(fd int, mode uint32) error                   { return ENOSYS }
func Chown(path string, uid, gid int) error              { return ENOSYS }
func Fchown(fd int, uid, gid int) error                  { return ENOSYS }
func Lchown(path string, uid, gid int) error             { return ENOSYS }
func UtimesNano(path string, ts []Timespec) error        { return ENOSYS }
func Rename(from, to string) error                       { return ENOSYS }
func Truncate(path string, length int64) error           { return ENOSYS }
func Ftruncate(fd int, length int64) error               { return ENOSYS }
func Chdir(path string) error                            { return ENOSYS }
func Fchdir(fd int) error                                { return ENOSYS }
func Readlink(path string, buf []byte) (int, error)      { return 0, ENOSYS }
func Link(path, link string) error                       { return ENOSYS }
func Symlink(path, link string) error                    { return ENOSYS }
func Fsync(fd int) error                                 { return nil }
func Pread(fd int, b []byte, offset int64) (int, error)  { return 0, ENOSYS }
func Pwrite(fd int, b []byte, offset int64) (int, error) { return 0, ENOSYS }
func Dup(fd int) (int, error)                            { return -1, ENOSYS }
func Dup2(fd, newfd int) error                           { return ENOSYS }
func Pipe(fd []int) error                                { return ENOSYS }

// Getcwd reports the root: there is no other directory.
func Getcwd(buf []byte) (int, error) {
	if len(buf) < 1 {
		return 0, ERANGE
	}
	buf[0] = '/'
	return 1, nil
}

// Fstat describes the console descriptors as character devices.
func Fstat(fd int, st *Stat_t) error {
	if fd < 0 || fd > 2 {
		return EBADF
	}
	*st = Stat_t{Dev: 0, Ino: uint64(fd), Mode: S_IFCHR | 0o600, Nlink: 1, Blksize: 1}
	return nil
}

// Read has no input to offer yet: a console driver reads the UART itself.
func Read(fd int, b []byte) (int, error) {
	if fd < 0 || fd > 2 {
		return 0, EBADF
	}
	return 0, ENOSYS
}

func Write(fd int, b []byte) (int, error) {
	if fd != 1 && fd != 2 {
		if fd == 0 {
			return 0, EBADF
		}
		return 0, ENOSYS
	}
	if len(b) == 0 {
		return 0, nil
	}
	return int(consoleWrite(uintptr(fd), b)), nil
}

func Seek(fd int, offset int64, whence int) (int64, error) {
	if fd >= 0 && fd <= 2 {
		return 0, ESPIPE
	}
	return 0, EBADF
}

func checkPath(path string) error {
	if path == "" {
		return EINVAL
	}
	for i := 0; i < len(path); i++ {
		if path[i] == '\x00' {
			return EINVAL
		}
	}
	return nil
}
