#!/usr/bin/env python3
"""Splits each gateway call's time by the kernel's packet timestamps, outside every process's own clock.

Usage (as root, beside a paced run of scripts/bench-gateway.sh; see docs/benchmarks.md):
    tcpdump -i lo -s 700 -B 262144 -w /tmp/cap.pcap 'tcp port 8080 or tcp port 9090'
    python3 bench/tools/wire-split.py /tmp/cap.pcap [from_epoch_seconds]

For every call whose answer carries a request_id, four packets: the caller's request to the gateway (t1), the
gateway's request to the upstream, which names the call in X-Topaz-Request-Id (t2), the upstream's answer (t3) and
the gateway's answer to the caller (t4). Prints percentiles of t2-t1 (the gateway before the upstream: the wait in the
socket, reading, checks), t3-t2 (the upstream), t4-t3 (the gateway after it) and t4-t1-(t3-t2) (all the gateway
held the call). Calls before from_epoch_seconds (say, a closed-loop warm-up) are left out. A call the gateway sent
to the upstream more than once (a retry after a failed connection) is left out too.

A packet on lo is stamped when its sender hands it to the loopback device, so t1 and t3 come before the kernel's
delivery of the packet to the gateway (work done on the sender's CPU): "held" includes that delivery.
"""
import math
import re
import struct
import sys

RID = re.compile(rb'"request_id":"([0-9a-z]+)"')
HDR = re.compile(rb'X-Topaz-Request-Id: ([0-9a-z]+)', re.I)


def packets(path):
    with open(path, 'rb') as f:
        header = f.read(24)
        magic, linktype = struct.unpack('<I', header[:4])[0], struct.unpack('<I', header[20:24])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            sys.exit(f'{path}: not a little-endian pcap file (pcapng is not read: capture with tcpdump -w)')
        if linktype != 1:
            sys.exit(f'{path}: link type {linktype}; capture on lo (Ethernet framing, link type 1) with -i lo')
        nano = magic == 0xa1b23c4d
        while True:
            ph = f.read(16)
            if len(ph) < 16:
                return
            sec, frac, incl, _ = struct.unpack('<IIII', ph)
            d = f.read(incl)
            if d[12:14] != b'\x08\x00':  # IPv4 only: the benchmark's addresses are 127.0.0.1
                continue
            ip = d[14:]
            tcp = ip[(ip[0] & 15) * 4:]
            sport, dport = struct.unpack('>HH', tcp[:4])
            payload = tcp[(tcp[12] >> 4) * 4:]
            if payload:
                yield sec + frac / (1e9 if nano else 1e6), sport, dport, payload


def pct(values, p):
    values = sorted(values)  # nearest rank
    return values[max(0, math.ceil(len(values) * p / 100) - 1)] if values else float('nan')


def main():
    path = sys.argv[1]
    since = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    gateway, upstream = 8080, 9090
    last_request, upstream_call = {}, {}
    t1, t2, t3, t4 = {}, {}, {}, {}
    retried = set()
    for t, sport, dport, payload in packets(path):
        if dport == gateway and (payload.startswith(b'GET') or payload.startswith(b'POST')):
            last_request[sport] = t
        elif sport == gateway and payload.startswith(b'HTTP'):
            m = RID.search(payload)
            if m and dport in last_request:
                rid = m.group(1).decode()
                t1[rid], t4[rid] = last_request.pop(dport), t
        elif dport == upstream:
            m = HDR.search(payload)
            if m:
                rid = m.group(1).decode()
                if rid in t2:
                    retried.add(rid)
                t2[rid] = t
                upstream_call[sport] = rid
        elif sport == upstream and payload.startswith(b'HTTP') and dport in upstream_call:
            t3[upstream_call.pop(dport)] = t
    calls = [r for r in t4 if r in t2 and r in t3 and r not in retried and t1[r] >= since]
    print(f'{len(calls)} calls with all four packets ({len(retried)} sent upstream more than once, left out)')
    parts = {
        'gateway before the upstream (t2-t1)': lambda r: t2[r] - t1[r],
        'upstream (t3-t2)': lambda r: t3[r] - t2[r],
        'gateway after the upstream (t4-t3)': lambda r: t4[r] - t3[r],
        'gateway in all (t4-t1 less t3-t2)': lambda r: t4[r] - t1[r] - (t3[r] - t2[r]),
    }
    for name, part in parts.items():
        ms = [part(r) * 1000 for r in calls]
        over = sum(1 for x in ms if x > 1) / max(1, len(ms)) * 100
        print(f'{name:38s} p50 {pct(ms, 50):6.3f}  p90 {pct(ms, 90):6.3f}  p99 {pct(ms, 99):6.3f}  '
              f'p99.9 {pct(ms, 99.9):6.3f} ms  over 1 ms: {over:.2f} %')


if __name__ == '__main__':
    main()
