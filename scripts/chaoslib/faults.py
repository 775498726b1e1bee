"""The faults a round may inject; each answers a line saying what it did."""
import os
import signal
import time

from benchlib import agent_session, processes, program, signal_session
from chaoslib.cluster import node_number

ONESIM_FAULTS = ["allocate:0.5", "vanish:0.3", "slow:0.5:1500", "auth:0.3"]


def victim(service, random, nodes):
    """A node chosen by role (stable across replays as far as the roles are): the master or the k-th replica."""
    master = service.master()
    replicas = sorted((id for id, node in nodes.items() if id != master and node.get("ip")), key=node_number)
    choices = ([master] if master in nodes else []) + replicas
    return random.choice(choices) if choices else None


def kill_manager(service, random, nodes):
    service.kill()
    pause = random.uniform(0.5, 3)
    time.sleep(pause)
    service.start()
    return f"manager SIGKILLed, started again {pause:.1f}s later"


def kill_agent(service, random, nodes):
    return _kill_in_vm(service, random, nodes, "conpaassql-agent", "agent")


def kill_mariadbd(service, random, nodes):
    return _kill_in_vm(service, random, nodes, "mariadbd", "mariadbd")


def _kill_in_vm(service, random, nodes, name, what):
    """SIGKILLs the process running program `name` in the VM of a victim node (not its restart loop)."""
    node = victim(service, random, nodes)
    session = agent_session(nodes[node]["ip"]) if node else None
    for pid, sid, command in processes() if session else []:
        if sid == session and program(command) == name:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # it ended between the listing and the kill
                break
            return f"{what} of node {node} ({_role(service, node)}) SIGKILLed"
    return f"no {what} to kill"


def freeze_vm(service, random, nodes):
    node = victim(service, random, nodes)
    session = agent_session(nodes[node]["ip"]) if node else None
    if session is None:
        return "no VM to freeze"
    seconds = random.uniform(2, 9)
    role = _role(service, node)
    signal_session(session, signal.SIGSTOP)
    time.sleep(seconds)
    signal_session(session, signal.SIGCONT)
    return f"VM of node {node} ({role}) frozen {seconds:.1f}s"


def cloud_faults(service, random, nodes):
    """onesim restarted with one fault rule for this round (cleared before the service settles)."""
    spec = random.choice(ONESIM_FAULTS)
    service.onesim.restart(spec)
    return f"onesim restarted with --faults {spec}"


def _role(service, node):
    return "master" if node == service.master() else "replica"


LOCAL = {"kill-manager": kill_manager, "kill-agent": kill_agent, "kill-mariadbd": kill_mariadbd, "freeze-vm": freeze_vm}
ONESIM = dict(LOCAL, **{"cloud": cloud_faults})
