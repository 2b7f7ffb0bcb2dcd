/* pycmd: the script of a Python command line, and its name. */
#include <errno.h>
#include <string.h>

#include "pycmd.h"

void pycmd__name(const char *s, char *buf, size_t len)
{
	const char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	size_t n = strlen(base), i;

	if (n > 3 && !strcmp(base + n - 3, ".py"))
		n -= 3;
	if (n >= len)
		n = len - 1;
	if (!n) {
		strncpy(buf, "python", len - 1);
		buf[len - 1] = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		char c = base[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			 c == '-' ? c : '_';
	}
	buf[n] = 0;
}

int pycmd__script(char *const *args, int nr, char *name, size_t len)
{
	int i;

	for (i = 0; i < nr; i++) {
		const char *a = args[i];

		if (!strcmp(a, "-c") || !strcmp(a, "-m")) {
			pycmd__name(a[1] == 'm' && i + 1 < nr ? args[i + 1] :
				    "python", name, len);
			return -1;
		}
		if (!strcmp(a, "-")) {
			pycmd__name("stdin", name, len);
			return -1;
		}
		if (!strcmp(a, "-X") || !strcmp(a, "-W")) {
			i++;
			continue;
		}
		if (a[0] == '-')
			continue;
		pycmd__name(a, name, len);
		return i;
	}
	return -ENOENT;
}
