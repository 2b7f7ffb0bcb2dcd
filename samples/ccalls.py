"""Calls into C: json, re, zlib and sorting do their work in C code that
the Python view keeps visible under the Python function that called it.
Expected: do_json -> (json C accelerator frames), do_zlib -> zlib's deflate,
do_sort -> sorting, do_regex -> the sre engine."""
import json
import random
import re
import sys
import zlib

random.seed(7)
DOC = json.dumps([{"id": i, "name": "x" * (i % 17), "tags": list(range(i % 9))}
                  for i in range(2000)])
BLOB = bytes(random.getrandbits(8) for _ in range(200_000)) * 2
WORDS = [str(random.random()) for _ in range(50_000)]
PATTERN = re.compile(r"(\w+)@(\w+)\.com")
TEXT = " ".join(f"user{i}@host{i % 50}.com filler text" for i in range(20_000))


def do_json():
    return len(json.loads(DOC))


def do_zlib():
    return len(zlib.compress(BLOB, 6))


def do_sort():
    return sorted(WORDS)[0]


def do_regex():
    return len(PATTERN.findall(TEXT))


def main(rounds):
    for _ in range(rounds):
        do_json()
        do_zlib()
        do_sort()
        do_regex()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
