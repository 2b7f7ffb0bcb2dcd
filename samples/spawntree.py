"""A tree of Python processes started the ways that drop -X perf: a
subprocess child (which starts a grandchild) and a multiprocessing pool
started by spawn. The script sets nothing: only PYTHONPERFSUPPORT=1 in the
environment (flamerun sets it) gives the children perf support.
Expected: <module> -> main -> parent_work in the parent; <module> ->
child_work in the child, <module> -> grandchild_work in the grandchild;
spawn_main ... -> spawn_work in each spawn worker."""
import multiprocessing
import subprocess
import sys


def busy(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def grandchild_work(n):
    return busy(n)


def child_work(n):
    grand = subprocess.Popen([sys.executable, __file__, "--grandchild",
                              str(n)])
    busy(n)
    return grand.wait()


def spawn_work(n):
    return busy(n)


def parent_work(n):
    return busy(n)


def main(n):
    child = subprocess.Popen([sys.executable, __file__, "--child", str(n)])
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(spawn_work, [n] * 4, chunksize=1)
    parent_work(n)
    return child.wait()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child_work(int(sys.argv[2])))
    elif len(sys.argv) > 2 and sys.argv[1] == "--grandchild":
        grandchild_work(int(sys.argv[2]))
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
