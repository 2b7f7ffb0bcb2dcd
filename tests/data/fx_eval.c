/* A stand-in for CPython's evaluation loop, for tests/unit/test_pybuild.c:
 * built as libfx_eval_fp.so with -fno-omit-frame-pointer (its prologue sets
 * up %rbp) and as libfx_eval_nofp.so without (as pyenv's CPython is). */
int fx_eval_step(int x);

int fx_eval_step(int x)
{
	return x * 3 + 1;
}

int _PyEval_EvalFrameDefault(int n);

int _PyEval_EvalFrameDefault(int n)
{
	int total = 0, i;

	for (i = 0; i < n; i++)
		total += fx_eval_step(i);
	return total;
}
