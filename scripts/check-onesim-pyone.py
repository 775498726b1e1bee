#!/usr/bin/env python3
# shellcheck disable=SC1071 # Python, not shell: CI runs shellcheck on scripts/*.
"""Drive a running onesim with OpenNebula's own Python client (pyone).

Usage: check-onesim-pyone.py URL [--profile 6.10]

URL is onesim's endpoint, e.g. http://127.0.0.1:2633/RPC2, serving the
default user oneadmin:opennebula. pyone parses every VM document with
classes generated from OpenNebula's XML schemas, so this checks onesim's
answers, error codes and documents the way a real client sees them.
Exit status: 0 when every check passes, 1 on a failed check, 2 when pyone
is not installed (pip install pyone==6.10.5).
"""

import sys
import time

try:
    import pyone
except ImportError:
    sys.stderr.write("pyone is not installed: pip install pyone==6.10.5\n")
    sys.exit(2)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(exception_type, call, what):
    try:
        call()
    except exception_type as error:
        return str(error)
    raise AssertionError("%s: expected %s" % (what, exception_type.__name__))


def wait_for(one, vm_id, state, lcm_state=None, seconds=15.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        vm = one.vm.info(vm_id)
        if vm.STATE == state and (lcm_state is None or vm.LCM_STATE == lcm_state):
            return vm
        time.sleep(0.05)
    raise AssertionError("VM %d did not reach %s/%s" % (vm_id, state, lcm_state))


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 1
    url = sys.argv[1]
    profile = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--profile" else "6.10"
    one = pyone.OneServer(url, session="oneadmin:opennebula")

    version = one.system.version()
    check(version.startswith(profile), "version %s is not %s" % (version, profile))

    template = ('NAME="agent"\nCPU=1\nMEMORY=512\nNIC=[NETWORK_ID=0]\n'
                'CONTEXT=[IP_PUBLIC="$NIC[IP]", VMID="$VMID", ME="$NAME"]\n')
    first = one.vm.allocate(template, False)
    vm = one.vm.info(first)
    check(vm.ID == first and vm.NAME == "agent", "info: id and name")
    check(vm.STATE in (1, 3), "info: state %d" % vm.STATE)
    nic = vm.TEMPLATE["NIC"]
    check(nic["IP"].startswith("10.0.0."), "lease %s" % nic["IP"])
    check(nic["MAC"] == "02:00:" + ":".join("%02x" % int(b) for b in nic["IP"].split(".")), "mac")
    context = vm.TEMPLATE["CONTEXT"]
    check(context["IP_PUBLIC"] == nic["IP"], "$NIC[IP] substituted at allocate time")
    check(context["VMID"] == str(first) and context["ME"] == "agent", "$VMID and $NAME substituted")

    old = profile == "3.8"
    second = one.vm.allocate('CPU=0.5\nMEMORY=256\nNIC=[NETWORK_ID=0]\nNIC=[NETWORK="default"]\nROLE="test"\n', True)
    held = one.vm.info(second)
    check(held.NAME == "one-%d" % second, "default name")
    check(held.STATE in ((1, 3) if old else (2,)), "HOLD from 4.0 on (3.x has no hold flag)")
    check(isinstance(held.TEMPLATE["NIC"], list) and len(held.TEMPLATE["NIC"]) == 2, "two NICs")
    check(held.USER_TEMPLATE["ROLE"] == "test", "user attributes in USER_TEMPLATE")

    running = wait_for(one, first, 3, 3)
    check(running.DEPLOY_ID == "one-%d" % first, "DEPLOY_ID")
    pool = one.vmpool.info(-2, -1, -1, -1)
    check(sorted(v.ID for v in pool.VM) == sorted([first, second]), "pool holds both VMs")
    if not old:
        extended = one.vmpool.infoextended(-2, -1, -1, -1)
        check(extended.VM[0].TEMPLATE["CONTEXT"]["VMID"] == str(first), "extended bodies hold CONTEXT")

    one.vm.action("cancel" if old else "terminate-hard", first)
    one.vm.action("finalize" if old else "terminate", second)
    done = wait_for(one, first, 6)
    check(done.ETIME > 0, "ETIME set on DONE")
    check(first not in [v.ID for v in one.vmpool.info(-2, -1, -1, -1).VM], "DONE hidden by state -1")
    check(first in [v.ID for v in one.vmpool.info(-2, -1, -1, -2).VM], "DONE listed by state -2")

    expect_error(pyone.OneNoExistsException, lambda: one.vm.info(99999), "unknown VM")
    if not old and profile != "5.12":
        message = expect_error(pyone.OneActionException, lambda: one.vm.action("shutdown", first), "shutdown on 6.x+")
        check('Action "shutdown" is not supported' in message, message)
    expect_error(pyone.OneException, lambda: one.vm.allocate("CPU=1\nMEMORY=0\n", False), "MEMORY=0")
    message = expect_error(pyone.OneInternalException, lambda: one.vm.allocate("CPU = [", False), "parse error")
    check("Parse error" in message, message)
    bad = pyone.OneServer(url, session="oneadmin:wrong")
    expect_error(pyone.OneAuthenticationException, lambda: bad.vm.info(first), "bad session")
    message = expect_error(pyone.OneException, lambda: one.vm.nosuchmethod(first), "unknown method")
    check("-506" in message, message)

    print("onesim %s passed the pyone checks" % version)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as failure:
        sys.stderr.write("check failed: %s\n" % failure)
        sys.exit(1)
