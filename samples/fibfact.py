"""The classic perf-profiling sample: recursive Fibonacci plus factorial.

Run under perf with CPython's perf support, e.g.
    perf record -g -- python3.12 -X perf samples/fibfact.py
Python call path: <module> -> main -> fibonacci_plus_factorial ->
fibonacci (recursive) and -> factorial (recursive). Takes about 2 s.
"""
import sys


def fibonacci(n):
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def fibonacci_plus_factorial(n):
    total = fibonacci(n)
    for _ in range(2000):
        total += factorial(n)
    return total


def main(rounds):
    total = 0
    for _ in range(rounds):
        total += fibonacci_plus_factorial(27) % 1000
    return total


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print(main(rounds))
