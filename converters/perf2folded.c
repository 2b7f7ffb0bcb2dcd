/* perf2folded: perf script text or perf.data -> folded stacks.
 * (Skeleton: the text path lands in the next commits.) */
#include <stdio.h>

int main(void)
{
	fputs("perf2folded: not built yet\n", stderr);
	return 2;
}
