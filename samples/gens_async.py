"""Generators and asyncio: frames resumed by next() and by the event loop.
Expected: produce (a generator) under consume; crunch under worker
(coroutines) under asyncio's event loop."""
import asyncio
import sys


def produce(n):
    for i in range(n):
        x = 0
        for j in range(300):
            x += i ^ j
        yield x


def consume(n):
    return sum(produce(n))


async def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
        if i % 5000 == 0:
            await asyncio.sleep(0)
    return total


async def worker(n):
    return await crunch(n)


async def amain(n):
    return sum(await asyncio.gather(*(worker(n) for _ in range(4))))


def main(rounds):
    a = consume(rounds * 40)
    b = asyncio.run(amain(rounds * 2000))
    return a + b


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300) % 997)
