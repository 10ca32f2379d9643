#!/usr/bin/env python3
"""Counts the Cortex-M33 cycles of the kernels from an instruction trace of the timing image.

   qemu-system-arm ... -singlestep -d exec,nochain 2>&1 | trace.py image.dis image.sym

qemu's trace gives every instruction executed, in order (one per translation block with
-singlestep). Each instruction inside common/src/kernel_m33.cpp's functions (and the kernel code
they inline) is charged its cycles from the timing table below; a branch whose next instruction
is not the one after it is taken and pays the pipeline refill. Prints the kernel cycles.

The table: Arm publishes no cycle table for the Cortex-M33; its three-stage pipeline and
single-cycle multiplier follow the Cortex-M4's (Cortex-M4 TRM, section 3.3.1), which this uses,
on the side of caution: every load and store 2 cycles (no pipelining of neighbours), every taken
branch 3, IT 1 (never folded).
"""
import re
import sys

ONE_CYCLE_MULTIPLY = {"mul", "muls", "mla", "mls", "umull", "smull", "umlal", "smlal", "umaal"}


def cycles_of(mnemonic, operands):
    m = mnemonic.split(".")[0]
    base = re.sub(r"(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)$", "", m)
    if m in ONE_CYCLE_MULTIPLY or base in ONE_CYCLE_MULTIPLY:
        return 1
    if m.startswith(("ldrd", "strd")):
        return 3
    if m.startswith(("ldm", "stm", "push", "pop")):
        regs = operands[operands.find("{") + 1:operands.find("}")]
        n = 0
        for part in regs.split(","):
            part = part.strip()
            if "-" in part:
                a, b = part.split("-")
                n += int(b.strip()[1:]) - int(a.strip()[1:]) + 1
            elif part:
                n += 1
        return 1 + n
    if m.startswith(("ldr", "str")):
        return 2
    if m.startswith(("udiv", "sdiv")):
        return 12
    return 1


def main():
    dis_path, sym_path = sys.argv[1], sys.argv[2]
    ranges = []
    for line in open(sym_path):
        f = line.split()
        if len(f) == 4 and f[2] in "Tt" and ("escape" in f[3] or "orbit" in f[3]):
            ranges.append((int(f[0], 16), int(f[0], 16) + int(f[1], 16)))
    insns = {}
    for line in open(dis_path):
        m = re.match(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4}\s?)+)\s+(\S+)\s*(.*)$", line)
        if m:
            size = 2 * len(m.group(2).split())
            insns[int(m.group(1), 16)] = (size, m.group(3), m.group(4), cycles_of(m.group(3), m.group(4)))
    inside = lambda pc: any(a <= pc < b for a, b in ranges)
    total = 0
    prev = None
    trace = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    for line in sys.stdin:
        m = trace.match(line)
        if not m:
            sys.stdout.write(line) if line.startswith("work") else None
            continue
        pc = int(m.group(1), 16)
        if prev is not None:
            ppc, pinfo = prev
            if pc != ppc + pinfo[0] and (pinfo[1].startswith(("b", "cb")) or "pc" in pinfo[2]):
                total += 2  # taken: the pipeline refills
        info = insns.get(pc)
        if info is None or not inside(pc):
            prev = None
            continue
        total += info[3]
        prev = (pc, info)
    print(f"cycles {total}")


if __name__ == "__main__":
    main()
