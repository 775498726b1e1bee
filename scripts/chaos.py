#!/usr/bin/env python3
"""Random operations and faults against a live service; after each round, its invariants.

Each round applies one operation (add, remove, switchover, users, a dump) and one
fault (SIGKILL of the manager, of an agent, of a mariadbd; a frozen VM; with
--cloud onesim, onesim restarted with allocate failures, vanishing VMs, slow
answers or authentication errors for ten seconds, with an add_nodes in them), lets the service settle, and checks: every
VM owned by a live node and every live node by a VM, no process outside a live
VM, no node stuck (the service settles), unique server ids, exactly one
writable node (the master), every replica's CHECKSUM TABLE equal to the
master's, every write the client saw acknowledged still there.
Usage: chaos.py BIN_DIR WORK_DIR [--seed N] [--rounds N] [--cloud local|onesim] [--block B]
(run through scripts/chaos). Exits 1 on a violation; the same seed replays the same choices.
"""
import argparse
import collections
import random
import sys
import time

from chaoslib import faults, invariants, operations
from chaoslib.cluster import Service
from chaoslib.workload import PASSWORD, USER, Writer, query

QUIET = 6  # seconds after a fault before settling counts: the manager's --health-timeout (4) and some


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bin_dir")
    parser.add_argument("work_dir")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cloud", choices=["local", "onesim"], default="local")
    parser.add_argument("--block", type=int, default=90, help="the 127.0.B.0/24 block the run uses")
    parser.add_argument("--settle", type=int, default=240, help="seconds a round may take to settle")
    return parser.parse_args()


def prepare(service):
    """Three nodes, the client's account and table; answers the running writer."""
    service.start()
    service.call("add_nodes", {"count": 3}, post=True)
    problem = invariants.settle(service, 600)
    if problem:
        raise SystemExit(f"the service did not start: {problem}")
    service.call("configure_user", {"serviceNodeId": "all", "username": USER, "password": PASSWORD}, post=True)
    master_ip = service.nodes()[service.master()]["ip"]
    query(master_ip, "CREATE DATABASE chaos")
    query(master_ip, "CREATE TABLE chaos.acked (id INT PRIMARY KEY)")
    host, port = service.call("get_service_info")["endpoints"]["writer"].rsplit(":", 1)
    writer = Writer(host, int(port))
    writer.start()
    return writer


def play_round(service, chooser, round_number, writer, settle_limit, tally):
    """One round: an operation, a fault, settling, the invariants. Answers (line, violations)."""
    nodes = service.nodes()
    fault_kinds = faults.ONESIM if service.onesim else faults.LOCAL
    fault_name = chooser.choice(sorted(fault_kinds))
    operation_name = chooser.choice(operations.applicable(len(nodes)))
    if len(nodes) < operations.LOW or (fault_name == "cloud" and len(nodes) < operations.HIGH):
        operation_name = "add"  # a cloud fault hits the VMs being created
    if fault_name == "cloud":
        injected = fault_kinds[fault_name](service, chooser, nodes)
    try:
        done = operations.ALL[operation_name](service, chooser, nodes, round_number) or f"{operation_name}: nothing to do"
    except Exception as error:
        done = f"{operation_name} refused: {str(error)[:120]}"
    if fault_name != "cloud":
        time.sleep(chooser.uniform(0, 2))
        injected = fault_kinds[fault_name](service, chooser, service.nodes())
    tally["operations"][operation_name] += 1
    if not injected.startswith("no "):  # the victim was already gone (being removed): nothing injected
        tally["faults"][fault_name] += 1
    if service.onesim and service.onesim.faults:
        time.sleep(10)
        service.onesim.restart("")
    time.sleep(QUIET)
    started = time.monotonic()
    problem = invariants.settle(service, settle_limit)
    writer.pause()
    try:
        violations = [problem] if problem else invariants.check(service, writer.acked())
    finally:
        writer.resume()
    took = time.monotonic() - started
    info = service.call("get_service_info")
    line = (f"round {round_number:3}: {done}; {injected}; settled in {took:.0f}s, {info['nodes']} nodes, master {info['master']}, "
            f"epoch {info['epoch']}, {len(writer.acked())} writes acknowledged: " + ("ok" if not violations else "VIOLATED"))
    return line, violations


def main():
    arguments = parse()
    chooser = random.Random(arguments.seed)
    service = Service(arguments.bin_dir, arguments.work_dir, arguments.block, arguments.cloud)
    tally = {"operations": collections.Counter(), "faults": collections.Counter()}
    print(f"chaos: seed {arguments.seed}, {arguments.rounds} rounds, cloud {arguments.cloud}, work {arguments.work_dir}", flush=True)
    failures, writer, played = [], None, 0
    try:
        writer = prepare(service)
        for round_number in range(1, arguments.rounds + 1):
            line, violations = play_round(service, chooser, round_number, writer, arguments.settle, tally)
            played = round_number
            print(line, flush=True)
            for violation in violations:
                print(f"           violation: {violation}", flush=True)
            failures += [(round_number, violation) for violation in violations]
            if violations:
                break
    finally:
        if writer:
            writer.stop()
        service.stop()
    print(f"\n| rounds | faults injected | operations | writes acknowledged | invariant violations |\n|---|---|---|---|---|\n"
          f"| {played} | {sum(tally['faults'].values())} ({', '.join(f'{k} {v}' for k, v in sorted(tally['faults'].items()))}) "
          f"| {', '.join(f'{k} {v}' for k, v in sorted(tally['operations'].items()))} | {len(writer.acked()) if writer else 0} | {len(failures)} |")
    if failures:
        print(f"replay: scripts/chaos --seed {arguments.seed} --rounds {arguments.rounds} --cloud {arguments.cloud} --block {arguments.block}")
        sys.exit(1)


if __name__ == "__main__":
    main()
