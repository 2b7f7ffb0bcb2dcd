"""Calibrated shares: heavy, medium and light do the same loop, 60%, 30%
and 10% of the iterations, so a profile must show them in about those
proportions of the time spent in the three.
Expected: heavy ~60%, medium ~30%, light ~10% (of the three together)."""
import sys


def spin(n):
    x = 0
    for i in range(n):
        x += i & 7
    return x


def heavy(n):
    return spin(6 * n)


def medium(n):
    return spin(3 * n)


def light(n):
    return spin(n)


def main(rounds, n):
    for _ in range(rounds):
        heavy(n)
        medium(n)
        light(n)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, 20_000)
