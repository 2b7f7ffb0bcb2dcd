import sys
class Tree:
    def walk(self, n):
        return fib(n)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def main():
    g = lambda k: Tree().walk(k)
    print(sum(g(i) for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 18)))
main()
