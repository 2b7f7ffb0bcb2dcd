/* fx_inline: inline frames for tests/unit/test_inlines.c and
 * test_dwinfo.c, built -O2 -g by tests/make_elf_fixtures.sh (fx_inl, and
 * fx_inl_gz with zlib-compressed debug sections). fx_leaf is inlined into
 * fx_mid, fx_mid into fx_outer; fx_nest is a GNU C nested function, its
 * DIE inside fx_outer's but its code outside fx_outer's ranges. */
volatile int fx_sink;

static inline __attribute__((always_inline)) int fx_leaf(int x)
{
	fx_sink = x;
	return x * 7 + fx_sink;
}

static inline __attribute__((always_inline)) int fx_mid(int x)
{
	int r = fx_leaf(x) ^ fx_leaf(x + 1);

	fx_sink = r;
	return r + fx_sink;
}

__attribute__((noinline)) int fx_outer(int n);
__attribute__((noinline)) int fx_outer(int n)
{
	__attribute__((noinline)) int fx_nest(int x)
	{
		fx_sink = x + n;
		return fx_sink * 3;
	}
	int i, s = 0;

	for (i = 0; i < n; i++)
		s += fx_mid(i) + fx_nest(i);
	return s;
}

int main(int argc, char **argv)
{
	(void)argv;
	return fx_outer(argc) & 1;
}
