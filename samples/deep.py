"""Deep recursion: a 60-level Python stack under <module> -> main.
Expected stack: <module> -> main -> descend x60 -> leaf_work."""
import sys


def leaf_work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def descend(depth):
    if depth == 0:
        return leaf_work(2000)
    return descend(depth - 1)


def main(rounds):
    return sum(descend(60) for _ in range(rounds))


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000) % 997)
