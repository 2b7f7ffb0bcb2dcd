"""Recursion 300 Python levels deep, deeper than the 64 KB of stack perf
copies per sample (some 100 levels): a walk down a deeply nested structure
that works at every level on the way down and up, as a recursive parser,
encoder or evaluator does.
Expected: <module> -> main -> walk x300 -> work, every stack whole."""
import sys


def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def walk(depth):
    work(2000)
    if depth:
        walk(depth - 1)
    return work(2000)


def main(rounds):
    sys.setrecursionlimit(2000)
    for _ in range(rounds):
        walk(300)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
