#!/usr/bin/env python3
"""Regenerates Sources/Model/Text/WidthTable.swift from Python's bundled Unicode database."""
import os, unicodedata

def ranges(pred):
    out, start = [], None
    for cp in range(0x110000):
        ok = not (0xD800 <= cp <= 0xDFFF) and pred(chr(cp))
        if ok and start is None:
            start = cp
        if not ok and start is not None:
            out.append((start, cp - 1)); start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out

def fmt(name, rs):
    lines, row = [], []
    for a, b in rs:
        row.append(f"(0x{a:X}, 0x{b:X})")
        if len(row) == 6:
            lines.append("        " + ", ".join(row) + ","); row = []
    if row:
        lines.append("        " + ", ".join(row) + ",")
    return f"    static let {name}: [(UInt32, UInt32)] = [\n" + "\n".join(lines) + "\n    ]\n"

wide = ranges(lambda c: unicodedata.east_asian_width(c) in "WF")
amb = ranges(lambda c: unicodedata.east_asian_width(c) == "A")
zero = ranges(lambda c: unicodedata.category(c) in ("Mn", "Me", "Cf") and c != "\u00ad")
src = f"""// Generated from the Unicode Character Database (version {unicodedata.unidata_version}) as Python's
// unicodedata ships it: East Asian Width W/F (two columns), A (ambiguous), and the zero-width marks
// (categories Mn, Me, Cf). Regenerate with docs/tools/gen_width_table.py; do not edit by hand.
enum WidthTable {{
{fmt('wide', wide)}
{fmt('ambiguous', amb)}
{fmt('zero', zero)}}}
"""
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "../../Sources/Model/Text/WidthTable.swift"), "w") as f:
    f.write(src)
