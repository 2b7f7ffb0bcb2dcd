#!/usr/bin/env python3
"""Deterministic folded-stack workload for benchmarking flame graph renderers.

Writes LINES folded lines holding exactly STACKS distinct stacks of depth
MIN_DEPTH..MAX_DEPTH (default: 1,000,000 lines, 200,000 stacks, depth 5-60)
to stdout. Stacks are random walks down a synthetic call graph with a few
thousand function names and skewed fan-out, so that, as in real profiles,
stacks share long prefixes. Every distinct stack appears at least once; the
other lines repeat stacks (as when several profiles are concatenated), and
the lines are shuffled. The same arguments and seed give the same bytes.

Usage: gen_folded.py [LINES [STACKS [SEED]]] > workload.folded
"""
import random
import sys

MIN_DEPTH, MAX_DEPTH = 5, 60
NR_FUNCS = 4000


def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    nr_stacks = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    if nr_stacks > lines:
        sys.exit("gen_folded.py: STACKS must not exceed LINES")
    rnd = random.Random(seed)
    kinds = ["py::{0}:/srv/app/{1}.py", "{0} ({1}.py)", "{0}",
             "{0}_[k]", "lib{1}.so`{0}"]
    funcs = []
    for i in range(NR_FUNCS):
        fmt = kinds[0 if i % 3 == 0 else 1 if i % 3 == 1 else
                    (2 + i // 3 % 3)]
        funcs.append(fmt.format(f"fn_{i}", f"mod_{i % 97}"))
    # each frame name has a few likely callees: fan-out 1..8, skewed
    callees = [rnd.sample(range(NR_FUNCS), rnd.randint(1, 8))
               for _ in range(NR_FUNCS)]
    roots = ["python3.12", "worker", "gc_thread"]

    seen = set()
    stacks = []
    while len(stacks) < nr_stacks:
        depth = rnd.randint(MIN_DEPTH, MAX_DEPTH)
        f = rnd.randrange(NR_FUNCS)
        frames = [rnd.choice(roots), funcs[f]]
        while len(frames) < depth:
            c = callees[f]
            # mostly the first callees, sometimes any function
            f = (c[min(int(rnd.expovariate(1.5)), len(c) - 1)]
                 if rnd.random() < 0.97 else rnd.randrange(NR_FUNCS))
            frames.append(funcs[f])
        s = ";".join(frames)
        if s not in seen:
            seen.add(s)
            stacks.append(s)
    order = list(range(nr_stacks)) + [
        min(int(rnd.paretovariate(1.2)) - 1, nr_stacks - 1)
        if rnd.random() < 0.3 else rnd.randrange(nr_stacks)
        for _ in range(lines - nr_stacks)]
    rnd.shuffle(order)
    out = sys.stdout
    write = out.write
    for i in order:
        write(f"{stacks[i]} {rnd.randint(1, 100)}\n")


if __name__ == "__main__":
    main()
