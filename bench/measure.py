#!/usr/bin/env python3
"""Times a command: wall time of each run, its CPU time (user + system, waited-for children
included) and the peak resident set size that the kernel reports for it when it ends (the same wait4 figure that GNU time's %M prints: the largest of
the process and its waited-for descendants, not their sum).

    measure.py --runs N [--warmup W] [--clean DIR] [--cwd DIR] [--env K=V]... -- COMMAND...

Prints one line of key=value pairs: median, min and max wall time in milliseconds, the median
CPU time in milliseconds (less sensitive than wall time to other load on the machine), the
median peak RSS in MiB and the runs. --clean DIR removes DIR before every run, outside the timing, so
that each run writes its output anew. A run that fails stops the measurement with its output.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def run_once(command, cwd, env):
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    # wait4 rather than wait: it returns the resource usage of exactly this child.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        sys.exit(f"measure: {' '.join(command)} exited {proc.returncode}:\n{stderr}")
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--clean")
    parser.add_argument("--cwd")
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.runs < 1:
        parser.error("a command and --runs of 1 or more are needed")
    env = dict(os.environ)
    for pair in args.env:
        key, _, value = pair.partition("=")
        env[key] = value

    walls, cpus, rss = [], [], []
    for i in range(args.warmup + args.runs):
        if args.clean:
            shutil.rmtree(args.clean, ignore_errors=True)
        wall, cpu, maxrss = run_once(command, args.cwd, env)
        if i >= args.warmup:
            walls.append(wall)
            cpus.append(cpu)
            rss.append(maxrss)
    print(
        f"median_ms={statistics.median(walls) * 1e3:.1f} min_ms={min(walls) * 1e3:.1f} "
        f"max_ms={max(walls) * 1e3:.1f} cpu_ms={statistics.median(cpus) * 1e3:.1f} rss_mib={statistics.median(rss) / 1024:.1f} "
        f"runs={args.runs}"
    )


if __name__ == "__main__":
    main()
