/* pycmd: a Python command line, as flamerun reads it: which argument is
 * the script, and the name its outputs take.
 */
#ifndef PERFFOLD_PYCMD_H
#define PERFFOLD_PYCMD_H

#include <stddef.h>

/* The script among the interpreter's arguments args[0..nr): the first that
 * is no option (-X and -W take a value; -c, -m and '-' end the options:
 * code from the command line, a module, stdin). Returns its index, -1 when
 * the code comes from -c, -m or '-', or -ENOENT when there is no program
 * at all. name (len bytes) gets the outputs' base name: the script's, the
 * module's for -m, "python" for -c, "stdin" for '-' (pycmd__name()). */
int pycmd__script(char *const *args, int nr, char *name, size_t len);

/* s as a file's base name into buf (len > 0 bytes): the part after the
 * last '/', without a .py suffix, every byte but letters, digits, '.',
 * '_' and '-' made '_'; "python" when nothing is left. */
void pycmd__name(const char *s, char *buf, size_t len);

#endif
