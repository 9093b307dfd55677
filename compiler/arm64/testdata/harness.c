/*
 * Test harness for compiler/arm64's end-to-end test. Built for AArch64 with
 * aarch64-linux-gnu-gcc -static and run under qemu-aarch64.
 *
 * usage: harness CODE IN NOUT
 *
 * Maps the raw machine code in file CODE as executable, reads the float32
 * inputs from file IN, calls the code as
 *     void f(float *in, float *out, long n)
 * with n the number of inputs and out a zeroed buffer of NOUT floats, and
 * writes the NOUT output words to stdout as raw little-endian bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void *slurp(const char *path, long *len) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(2); }
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, f) != (size_t)*len) { perror(path); exit(2); }
	fclose(f);
	return buf;
}

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: %s CODE IN NOUT\n", argv[0]);
		return 2;
	}
	long codelen, inlen;
	void *code = slurp(argv[1], &codelen);
	float *in = slurp(argv[2], &inlen);
	long nout = atol(argv[3]);

	void *mem = mmap(NULL, codelen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) { perror("mmap"); return 2; }
	memcpy(mem, code, codelen);
	if (mprotect(mem, codelen, PROT_READ | PROT_EXEC) != 0) { perror("mprotect"); return 2; }
	__builtin___clear_cache((char *)mem, (char *)mem + codelen);

	float *out = calloc(nout, sizeof(float));
	void (*f)(float *, float *, long) = (void (*)(float *, float *, long))mem;
	f(in, out, inlen / (long)sizeof(float));

	if (fwrite(out, sizeof(float), nout, stdout) != (size_t)nout) { perror("write"); return 2; }
	return 0;
}
