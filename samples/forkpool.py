"""A multiprocessing pool of two workers, started by fork (Linux's default
before 3.14): each worker runs the trampolines it inherited from the
parent, which only the parent's /tmp/perf-PID.map lists.
Expected: in each worker, <module> -> main -> Pool.map ... -> crunch ->
square_sum, the stack above the fork point being the parent's."""
import multiprocessing
import sys


def square_sum(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def crunch(n):
    return square_sum(n)


def main(n):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        return sum(pool.map(crunch, [n] * 8, chunksize=1))


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) % 997)
