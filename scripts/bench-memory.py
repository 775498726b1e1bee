#!/usr/bin/env python3
"""Measures the resident memory of the manager and its agents against a bare Hummingbird process, in one run.

- bench-bare-hummingbird answers GET / with the manager's get_service_info body;
- a manager on the local cloud (default options) runs add_nodes 3 until the master
  and both replicas are RUNNING;
- both get the same traffic: 500 GETs on 4 connections (the manager: 250
  get_service_info and 250 list_nodes); the agents get the manager's own calls;
- after SETTLE seconds, VmRSS, RssAnon, RssFile and Threads of every process
  are read from /proc/PID/status, and the manager and each agent compared with
  the bare process. Goals: agent at most 1.2x, manager (3 nodes) at most 1.5x.

Usage: bench-memory.py BIN_DIR SETTLE WORK_DIR SMAPS (run through scripts/bench-memory;
SMAPS > 0 also prints each process's SMAPS largest mappings by Rss).
"""
import os, socket, subprocess, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
from benchlib import pids_of, rpc, wait_for

BIN, SETTLE, WORK, SMAPS = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ("VmRSS", "RssAnon", "RssFile", "Threads")


def free(address, port):
    with socket.socket() as probe:
        try:
            probe.bind((address, port))
            return True
        except OSError:
            return False


def prefix():
    """The first block 127.0.N (from 95) whose manager, bare and node addresses are free (tests take others)."""
    for block in range(95, 150):
        candidate = f"127.0.{block}"
        if all(free(f"{candidate}.{host}", 50000) for host in (250, 251)) and \
                all(free(f"{candidate}.{node}", port) for node in (1, 2, 3) for port in (60000, 3306)):
            return candidate
    raise RuntimeError("no free 127.0.N block")


def status(pid):
    """FIELDS from /proc/PID/status, in MiB (Threads as a count)."""
    values = {}
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            if key in FIELDS:
                number = int(value.split()[0])
                values[key] = number if key == "Threads" else number / 1024
    return values


def largest_mappings(pid, count):
    """The `count` mappings of /proc/PID/smaps with the most Rss: (KiB, anonymous KiB, name)."""
    mappings, current = {}, None
    with open(f"/proc/{pid}/smaps") as lines:
        for line in lines:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                current = fields[5] if len(fields) > 5 else "[anonymous]"
                mappings.setdefault(current, [0, 0])
            elif fields[0] == "Rss:":
                mappings[current][0] += int(fields[1])
            elif fields[0] == "Anonymous:":
                mappings[current][1] += int(fields[1])
    return sorted(((rss, anon, name) for name, (rss, anon) in mappings.items()), reverse=True)[:count]


def traffic(urls):
    def get(url):
        urllib.request.urlopen(urllib.request.Request(url, headers={"Content-Type": "application/json"}), timeout=30).read()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(get, urls))


PREFIX = prefix()
MANAGER, BARE = f"{PREFIX}.250", f"{PREFIX}.251"
state = f"{WORK}/manager"
log = open(f"{WORK}/manager.log", "w")
manager = subprocess.Popen([f"{BIN}/conpaassql-manager", "--address", MANAGER, "--state-dir", state, "--local-address-prefix", PREFIX,
                            "--contextualization-dir", f"{REPO}/contextualization", "--agent-bin-dir", BIN],
                           stdout=log, stderr=log)
bare = None
try:
    wait_for(lambda: rpc(MANAGER, "get_service_info") is not None, limit=60)
    rpc(MANAGER, "add_nodes", {"count": 3}, post=True)
    wait_for(lambda: rpc(MANAGER, "get_service_info").get("nodes_by_state") == {"RUNNING": 3})
    with open(f"{WORK}/body.json", "wb") as body:
        body.write(urllib.request.urlopen(urllib.request.Request(f"http://{MANAGER}:50000/?method=get_service_info",
                                                                 headers={"Content-Type": "application/json"})).read())
    bare = subprocess.Popen([f"{BIN}/bench-bare-hummingbird", "--address", BARE, "--body-file", f"{WORK}/body.json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: urllib.request.urlopen(f"http://{BARE}:50000/", timeout=5).status == 200, limit=60)
    traffic([f"http://{BARE}:50000/"] * 500)
    traffic([f"http://{MANAGER}:50000/?method={method}" for method in ("get_service_info", "list_nodes")] * 250)
    time.sleep(SETTLE)
    processes = {"bare Hummingbird": bare.pid, "manager (3 nodes)": manager.pid}
    processes.update({f"agent {number}": pid for number, pid in enumerate(pids_of("conpaassql-agent", f"{state}/"), 1)})
    assert len(processes) == 5, f"expected 3 agents, found {len(processes) - 2}"
    figures = {name: status(pid) for name, pid in processes.items()}
    base = figures["bare Hummingbird"]["VmRSS"]
    print(f"{'process':<20}{'VmRSS MiB':>10}{'RssAnon':>9}{'RssFile':>9}{'Threads':>8}{'vs bare':>9}")
    for name, values in figures.items():
        print(f"{name:<20}{values['VmRSS']:>10.1f}{values['RssAnon']:>9.1f}{values['RssFile']:>9.1f}{values['Threads']:>8}"
              f"{values['VmRSS'] / base:>8.2f}x")
    agent_ratio = max(values["VmRSS"] for name, values in figures.items() if name.startswith("agent")) / base
    manager_ratio = figures["manager (3 nodes)"]["VmRSS"] / base
    print(f"largest agent {agent_ratio:.2f}x bare (goal at most 1.2: {'met' if agent_ratio <= 1.2 else 'not met'}); "
          f"manager {manager_ratio:.2f}x bare (goal at most 1.5: {'met' if manager_ratio <= 1.5 else 'not met'})")
    for name, pid in processes.items() if SMAPS else ():
        print(f"\n{name}: largest mappings (Rss KiB, of which anonymous, mapping)")
        for rss, anon, mapping in largest_mappings(pid, SMAPS):
            print(f"{rss:>8} {anon:>8}  {mapping}")
finally:
    if bare:
        bare.kill()
    try:
        rpc(MANAGER, "shutdown", post=True)
        wait_for(lambda: rpc(MANAGER, "get_service_info")["state"] == "STOPPED", limit=120)
    finally:
        manager.kill()
