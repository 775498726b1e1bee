"""What the Python benchmarks and the chaos run share: JSON-RPC calls to a manager, polling, processes."""
import json
import os
import time
import urllib.parse
import urllib.request


def rpc(address, method, params=None, post=False):
    """Calls `method` on the manager at `address`:50000 (POST with `post`, else GET); answers the result."""
    url = f"http://{address}:50000/"
    if post:
        request = urllib.request.Request(url, json.dumps({"method": method, "params": params or {}, "id": 1}).encode(),
                                         {"Content-Type": "application/json"})
    else:
        request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"method": method, "params": json.dumps(params or {})}),
                                         headers={"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(request, timeout=30))
    if answer.get("error"):
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def wait_for(condition, limit=300):
    """Polls `condition` every 50 ms until it holds (an exception counts as not yet); raises after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        try:
            if condition():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.05)


def processes():
    """(pid, session, command line) of every process this user can see."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode(errors="replace")
            found.append((int(pid), os.getsid(int(pid)), command))
        except OSError:
            continue
    return found


def program(command):
    """The program's name in a command line: `mariadbd` for `/usr/sbin/mariadbd --defaults-file=...`."""
    return os.path.basename(command.split(" ", 1)[0])


def pids_of(name, marker):
    """Pids of the processes running program `name` whose command line holds `marker`, lowest first."""
    return sorted(pid for pid, _, command in processes() if program(command) == name and marker in command)


def signal_session(session, number):
    """Sends `number` to every process of `session` (a local VM's whole process tree)."""
    for pid, sid, _ in processes():
        if sid == session:
            try:
                os.kill(pid, number)
            except OSError:
                pass


def agent_session(address):
    """The session of the agent serving `address` (its local VM's process tree), or None."""
    return next((session for _, session, command in processes()
                 if program(command) == "conpaassql-agent" and f" --address {address} " in command), None)
