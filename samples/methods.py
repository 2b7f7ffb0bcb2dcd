"""Methods, nested functions, lambdas and comprehensions: qualnames.
Expected frames: Shape.area, Shape.scaled.<locals>.grow, Grid.total,
<lambda>, <genexpr> (3.12 inlines list comprehensions, PEP 709)."""
import sys


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        acc = 0
        for _ in range(200):
            acc += self.side * self.side
        return acc

    def scaled(self, k):
        def grow(s):
            return sum(s.area() for _ in range(3)) * k
        return grow(self)


class Grid:
    def __init__(self, n):
        self.shapes = [Shape(i) for i in range(n)]

    def total(self):
        key = lambda s: s.scaled(2)
        return sum(key(s) for s in self.shapes)


def main(rounds):
    grid = Grid(50)
    return sum(grid.total() for _ in range(rounds))


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 120) % 997)
