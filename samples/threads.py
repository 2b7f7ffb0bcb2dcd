"""Threads: two workers and the main thread burn CPU in their own functions.
Expected: spin_a under Thread.run (threading) in one thread, spin_b in
another, main_spin under <module> -> main."""
import sys
import threading


def spin_a(n):
    x = 0
    for i in range(n):
        x += i % 7
    return x


def spin_b(n):
    x = 0
    for i in range(n):
        x += i % 11
    return x


def main_spin(n):
    x = 0
    for i in range(n):
        x += i % 13
    return x


def main(n):
    ta = threading.Thread(target=spin_a, args=(n,), name="worker-a")
    tb = threading.Thread(target=spin_b, args=(n,), name="worker-b")
    ta.start()
    tb.start()
    main_spin(n)
    ta.join()
    tb.join()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000)
