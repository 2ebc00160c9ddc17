#!/usr/bin/env python3
"""Prints, for every IPv6 TCP packet of a raw-IP pcap (what a test binary's --pcap writes), its
TCP flags as scripts write them and its flow label: `S. 0x12345`. Lets e2e tests check what
the kernel received and sent on the wire, which a script's own lines never compare."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
endian = "<" if magic == 0xa1b2c3d4 else ">"
offset = 24
while offset + 16 <= len(data):
    _, _, incl, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
    packet = data[offset + 16:offset + 16 + incl]
    offset += 16 + incl
    if len(packet) < 40 or packet[0] >> 4 != 6 or packet[6] != 6:  # IPv6, next header TCP
        continue
    label = struct.unpack(">I", packet[0:4])[0] & 0xfffff
    flags = packet[40 + 13]
    text = "".join(c for bit, c in ((2, "S"), (1, "F"), (4, "R"), (8, "P")) if flags & bit)
    print("%s%s 0x%x" % (text, "." if flags & 16 else "", label))
