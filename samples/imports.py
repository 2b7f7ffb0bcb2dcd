"""Imports at start-up: time spent importing modules shows under
<module> -> _find_and_load (<frozen importlib._bootstrap>).
Expected: _find_and_load frames; then work() afterwards."""
import sys
import importlib

MODULES = ["json", "decimal", "fractions", "statistics", "email.parser",
           "http.client", "xml.dom.minidom", "argparse", "difflib",
           "asyncio", "unittest", "logging.handlers", "csv", "sqlite3",
           "tarfile", "zipfile", "pydoc", "inspect", "dataclasses"]


def load_all():
    for name in MODULES:
        importlib.import_module(name)


def work(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    load_all()
    print(work(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) % 997)
