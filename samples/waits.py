"""Where the time goes while the CPU waits: five phases of about one second
each, so each is a fifth of the main thread's wall-clock time.

compute   a busy loop (on the CPU, or runnable when the machine is busy)
nap       time.sleep
read_pipe a blocking read on a pipe a child process writes to after 1 s
wait_lock a lock another thread holds for 1 s
recv_sock a recv on a socketpair another thread sends on after 1 s

perf record -e cpu-clock/freq=499/ -e sched:sched_switch --switch-events \
    --call-graph dwarf,16384 -- python3.12 -X perf samples/waits.py
perf2folded --wall --python --tid perf.data
"""
import socket
import subprocess
import sys
import threading
import time

PHASE = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def compute():
    end = time.monotonic() + PHASE
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def nap():
    time.sleep(PHASE)


def read_pipe():
    child = subprocess.Popen(
        [sys.executable, "-c",
         f"import time, sys; time.sleep({PHASE}); sys.stdout.write('x')"],
        stdout=subprocess.PIPE)
    data = child.stdout.read(1)
    child.wait()
    return data


def hold(lock, ready):
    with lock:
        ready.set()
        time.sleep(PHASE)


def wait_lock():
    lock, ready = threading.Lock(), threading.Event()
    t = threading.Thread(target=hold, args=(lock, ready))
    t.start()
    ready.wait()
    with lock:
        pass
    t.join()


def send_late(sock):
    time.sleep(PHASE)
    sock.send(b"x")


def recv_sock():
    a, b = socket.socketpair()
    t = threading.Thread(target=send_late, args=(b,))
    t.start()
    a.recv(1)
    t.join()
    a.close()
    b.close()


def main():
    compute()
    nap()
    read_pipe()
    wait_lock()
    recv_sock()


if __name__ == "__main__":
    main()
