#!/usr/bin/env python3
"""scripts/vm-conformance reads (script, family) verdicts and first errors from a VM's console,
and classifies the differences it reports. Checked on a console as scripts/vm prints it."""
import sys
from importlib.machinery import SourceFileLoader

conf = SourceFileLoader("vm_conformance", sys.argv[1]).load_module()

CONSOLE = """\
# vm: initramfs 1492 KiB (3 MiB unpacked), 2 modules, shell: no
TAP version 13
1..3
# selftests: net/packetdrill: expect_fail
# TAP version 13
# 1..2
# # kernel HZ=250 (the packetdrill selftests' config asks for HZ=1000): ...
# # tests/vm/expect_fail.pkt:4: runtime error in close call: Expected result -1 but got 0
# # event time: scheduled 0.003443 sec, failed at 0.006531 sec
# not ok 1 ipv4
# # tests/vm/expect_fail.pkt:7: error handling packet: timing error: expected outbound packet at 0.1 sec
# not ok 2 ipv6
not ok 1 selftests: net/packetdrill: expect_fail # exit=1
# selftests: net/packetdrill: hello_server
# ok 1 ipv4
# ok 2 ipv6 # SKIP no ipv6
ok 2 selftests: net/packetdrill: hello_server
# selftests: net/packetdrill: broken
# cannot run /bin/sh
not ok 3 selftests: net/packetdrill: broken # exit=1
# vm: boot 6.4 s (qemu start to init), tests 0.5 s, total 7.0 s (tcg, x86_64)
"""

results, notes = conf.parse_console(CONSOLE)
expected = {
    ("expect_fail", "ipv4"): ("fail", "4", "runtime error in close call: Expected result -1 but got 0"),
    ("expect_fail", "ipv6"): ("fail", "7", "error handling packet: timing error: expected outbound packet at 0.1 sec"),
    ("hello_server", "ipv4"): ("pass", "", ""),
    ("hello_server", "ipv6"): ("skip", "", ""),
    ("broken", "all"): ("fail", "", "exit=1"),
}
failures = 0
if results != expected:
    print("parse_console gave %r, expected %r" % (results, expected))
    failures += 1
if len(notes) != 2:
    print("the vm's notes: %r" % notes)
    failures += 1
for error, kind in [("error handling packet: timing error: expected ...", "timing"),
                    ("error handling packet: Timed out waiting for packet", "timing"),
                    ("error executing `nstat` command: non-zero status 127 (no /bin/sh on this machine)",
                     "needs-shell"),
                    ("runtime error in recvmsg call: Bad timestamp 0 in scm_timestamping 0: "
                     "expected=1 (60000) actual=2 (80733) start=0", "timing"),
                    ("error in Python code: assert 49000 <= tcpi_busy_time <= 52000 failed: 56000",
                     "timing"),
                    ("live packet field tcp_window: expected: 1 vs actual: 2", "other")]:
    if conf.classify(error) != kind:
        print("classify(%r) = %r, expected %r" % (error, conf.classify(error), kind))
        failures += 1
print("vm-conformance parse: %s" % ("FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
