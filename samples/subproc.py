"""A subprocess: the child is another Python with perf support on
(PYTHONPERFSUPPORT=1 is inherited), so its frames are named too.
Expected: child_work in the child process, parent_work in the parent."""
import os
import subprocess
import sys


def child_work(n):
    return sum(i * i for i in range(n))


def parent_work(n):
    return sum(i % 3 for i in range(n))


def main(n):
    env = dict(os.environ, PYTHONPERFSUPPORT="1")
    child = subprocess.Popen([sys.executable, __file__, "--child", str(n)],
                             env=env)
    parent_work(n)
    return child.wait()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_work(int(sys.argv[2]))
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000))
