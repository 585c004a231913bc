#!/usr/bin/env python3
"""Makes Sources/Model/Resources/lexicon-zh.txt, the bench's realistic generator's word list.

Source: jieba 0.42.1 (https://github.com/fxsjy/jieba, MIT licence), its jieba/dict.txt
(349,046 words, "word frequency part-of-speech" a line), from PyPI:

    pip download jieba==0.42.1 --no-deps && tar xzf jieba-0.42.1.tar.gz
    python3 docs/tools/make_lexicon.py jieba-0.42.1/jieba/dict.txt > Sources/Model/Resources/lexicon-zh.txt

Kept: the 25,000 most frequent words made only of CJK unified ideographs (U+4E00-U+9FFF), as
"word frequency" a line, most frequent first (ties by word), after a header of '#' lines with
the source and jieba's licence notice.
"""
import re
import sys

KEEP = 25_000
LICENCE = """The MIT License (MIT)

Copyright (c) 2013 Sun Junyi

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."""

cjk = re.compile(r"^[\u4e00-\u9fff]+$")
words = []
total = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        parts = line.split()
        if len(parts) < 2:
            continue
        total += 1
        if cjk.match(parts[0]):
            words.append((parts[0], int(parts[1])))
words.sort(key=lambda w: (-w[1], w[0]))
kept = words[:KEEP]
print("# Chinese word frequencies for workbench bench's realistic generator (RealisticGenerator).")
print(f"# From jieba 0.42.1's jieba/dict.txt (https://github.com/fxsjy/jieba; PyPI jieba-0.42.1.tar.gz):")
print(f"# the {len(kept):,} most frequent of its {len(words):,} words made only of CJK ideographs ({total:,} words in all),")
print("# \"word frequency\" a line, most frequent first. Made by docs/tools/make_lexicon.py. jieba's licence:")
print("#")
for l in LICENCE.split("\n"):
    print(("# " + l).rstrip())
for w, n in kept:
    print(f"{w} {n}")
