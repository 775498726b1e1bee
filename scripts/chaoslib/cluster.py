"""The service under test: a manager (local cloud, or OpenNebula through onesim) and its processes."""
import os
import signal
import subprocess
import xmlrpc.client

from benchlib import processes, rpc, signal_session, wait_for

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class OneSim:
    """onesim (OpenNebula 6.10, VMs booted through the local cloud on 127.0.B.x leases); restarted to change its faults."""

    def __init__(self, binaries, work, block):
        self.binaries, self.work, self.block = binaries, work, block
        self.endpoint = f"http://127.0.{block}.249:2633/RPC2"
        self.process, self.faults = None, ""

    def start(self, faults=""):
        self.faults = faults
        log = open(f"{self.work}/onesim.log", "a")
        arguments = [f"{self.binaries}/onesim", "--address", f"127.0.{self.block}.249", "--port", "2633", "--profile", "6.10",
                     "--state-dir", f"{self.work}/one", "--boot", "local", "--boot-hook", f"{REPO}/contextualization/boot-hook.sh",
                     "--leases", f"127.0.{self.block}.0/24", "--transition-ms", "50"]
        self.process = subprocess.Popen(arguments + (["--faults", faults] if faults else []), stdout=log, stderr=log)
        wait_for(lambda: self.live_vm_ids() is not None, limit=60)

    def restart(self, faults=""):
        """SIGKILL and start again on the same pool (its VMs keep running)."""
        if self.process:
            self.process.kill()
            self.process.wait()
        self.start(faults)

    def live_vm_ids(self):
        """Ids of the VMs in the pool that are not DONE."""
        answer = xmlrpc.client.ServerProxy(self.endpoint).one.vmpool.info("oneadmin:opennebula", -2, -1, -1, -1)
        if not answer[0]:
            raise RuntimeError(answer[1])
        document = answer[1]
        return {part.split("</ID>")[0] for part in document.split("<VM><ID>")[1:]}

    def manager_arguments(self):
        password = f"{self.work}/one-password"
        with open(password, "w") as file:
            file.write("opennebula\n")
        return ["--cloud", "opennebula", "--one-endpoint", self.endpoint, "--one-user", "oneadmin", "--one-password-file", password,
                "--one-image-id", "0", "--one-network-id", "0", "--one-template-file", f"{REPO}/images/agent.template",
                "--agent-context", f"CONPAASSQL_BIN={self.binaries}", "--agent-context", "AGENT_SMALL=yes"]

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()


class Service:
    """The manager process on 127.0.B.250 with fast failure settings, and what it reports."""

    def __init__(self, binaries, work, block, cloud):
        self.binaries, self.work, self.block = binaries, work, block
        self.address = f"127.0.{block}.250"
        self.state = f"{work}/manager"
        self.onesim = OneSim(binaries, work, block) if cloud == "onesim" else None
        self.process = None

    def start(self):
        if self.onesim and not self.onesim.process:
            self.onesim.start()
        log = open(f"{self.work}/manager.log", "a")
        arguments = [f"{self.binaries}/conpaassql-manager", "--address", self.address, "--state-dir", self.state,
                     "--local-address-prefix", f"127.0.{self.block}", "--contextualization-dir", f"{REPO}/contextualization",
                     "--agent-bin-dir", self.binaries, "--poll-interval-ms", "200", "--health-timeout", "4",
                     "--failover-hold", "0", "--replace-after", "6", "--log-level", "debug"]
        self.process = subprocess.Popen(arguments + (self.onesim.manager_arguments() if self.onesim else []), stdout=log, stderr=log)
        wait_for(lambda: self.call("get_service_info") is not None, limit=60)

    def kill(self):
        """SIGKILL the manager (HAProxy and the VMs keep running)."""
        self.process.kill()
        self.process.wait()

    def stop(self):
        """Ends everything the run started: the manager, onesim, every VM (its whole session) and HAProxy."""
        if self.process:
            self.process.kill()
            self.process.wait()
        if self.onesim:
            self.onesim.stop()
        sessions = {session for pid, session, command in processes() if self.work in command and pid != os.getpid()}
        for session in sessions - {os.getsid(0)}:
            signal_session(session, signal.SIGKILL)

    def call(self, method, params=None, post=False):
        return rpc(self.address, method, params, post)

    def nodes(self):
        """id → the manager's record of every node."""
        ids = self.call("list_nodes")["conpaas-mysql"]
        return {id: self.call("get_node_info", {"serviceNodeId": id})["serviceNode"] for id in ids}

    def master(self):
        return self.call("get_service_info").get("master")

    def live_vm_ids(self):
        """The ids of the cloud's live VMs: onesim's pool, or the local cloud's VM directories."""
        if self.onesim:
            return self.onesim.live_vm_ids()
        directory = f"{self.state}/cloud/vms"
        return {name for name in os.listdir(directory) if os.path.exists(f"{directory}/{name}/vm.json")} if os.path.isdir(directory) else set()

    def vm_directories(self):
        """Where this run's VMs live: the directories whose processes belong to a VM."""
        return f"{self.work}/one/" if self.onesim else f"{self.state}/cloud/"


def node_number(node_id):
    """node-12 → 12, to order node ids as the manager numbers them."""
    return int(node_id.rsplit("-", 1)[-1])
