/* Runs a fuzz target's LLVMFuzzerTestOneInput() once on every file named,
 * or in a directory named, on the command line: the fuzz targets as plain
 * tests, where libFuzzer is not there (gcc) or under gcc's sanitizers.
 * A finding aborts (a sanitizer report, abort() in the target); a file
 * that cannot be read is an error, exit 2. Prints how many inputs ran.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto fail;
	/* an exact-size copy, so that ASan sees a read past the input */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto fail;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
fail:
	fprintf(stderr, "replay: cannot read '%s': %s\n", path,
		strerror(errno ? errno : EIO));
	free(buf);
	if (f)
		fclose(f);
	return -1;
}

/* The files in dir, in name order, so that a run is repeatable. */
static int run_dir(const char *dir, unsigned *nr_run)
{
	struct dirent **ents;
	int n, i, err = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && !stat(path, &st) &&
		    S_ISREG(st.st_mode)) {
			fprintf(stderr, "replay: %s\n", path);
			if (run_file(path))
				err = -1;
			else
				(*nr_run)++;
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int main(int argc, char **argv)
{
	unsigned nr_run = 0;
	int i, err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 64;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &nr_run))
				err = -1;
		} else if (run_file(argv[i])) {
			err = -1;
		} else {
			nr_run++;
		}
	}
	printf("replay: %u inputs\n", nr_run);
	if (!nr_run) {
		fprintf(stderr, "replay: no input\n");
		return 2;
	}
	return err ? 2 : 0;
}
