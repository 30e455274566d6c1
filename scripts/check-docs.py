#!/usr/bin/env python3
"""check-docs.py TREE RST... - a light check of kernel Documentation pages.

The full Sphinx build of the kernel's documentation is too heavy for the
bench, so each page is parsed with docutils instead, with warnings fatal.
The Sphinx-only directives and roles that kernel pages use (kernel-doc,
toctree, the C domain) are accepted without being expanded: the kernel-doc
comments they pull in are checked by scripts/kernel-doc -Wall in
check-static.sh. Each page must also be listed in the toctree of the
index.rst beside it. Tables must not be simple tables: there, a line
with text in the first column starts a new row, so a wrapped first cell
silently becomes rows of its own (list-table has no such trap). Prints
TAP and "N passed, N failed".
"""

import os
import re
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles


class Accepted(Directive):
    """A Sphinx directive: any arguments, options and content."""
    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return []


class AnyOptions(dict):
    """An option_spec that takes every option as text."""

    def __getitem__(self, key):
        return directives.unchanged

    def __contains__(self, key):
        return True


Accepted.option_spec = AnyOptions()


def accepted_role(name, rawtext, text, lineno, inliner, options=None,
                  content=None):
    return [nodes.literal(rawtext, utils.unescape(text))], []


for d in ("kernel-doc", "toctree", "c:function", "c:struct", "c:macro",
          "c:type", "c:enum", "only", "code-block"):
    directives.register_directive(d, Accepted)
for r in ("c:func", "c:type", "c:macro", "c:struct", "ref", "doc",
          "manpage"):
    roles.register_local_role(r, accepted_role)


def check(tree, rst):
    path = os.path.join(tree, rst)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for n, line in enumerate(text.splitlines(), 1):
        if re.fullmatch(r"\s*=+( +=+)+\s*", line):
            raise ValueError("%s:%d: a simple table; use list-table, where a "
                             "wrapped cell stays in its row" % (rst, n))
    publish_doctree(text, source_path=path, settings_overrides={
        "halt_level": 2, "report_level": 2, "warning_stream": sys.stderr})
    index = os.path.join(os.path.dirname(path), "index.rst")
    name = os.path.splitext(os.path.basename(rst))[0]
    if name != "index":
        with open(index, encoding="utf-8") as f:
            listed = any(line.strip() == name for line in f)
        if not listed:
            raise ValueError("%s is not in the toctree of %s" % (rst, index))


def main():
    tree, pages = sys.argv[1], sys.argv[2:]
    failed = 0
    print("1..%d" % len(pages))
    for n, rst in enumerate(pages, 1):
        try:
            check(tree, rst)
            print("ok %d docs: %s" % (n, rst))
        except Exception as err:  # docutils raises SystemMessage
            failed += 1
            print("not ok %d docs: %s" % (n, rst))
            for line in str(err).splitlines():
                print("# " + line)
    print("%d passed, %d failed" % (len(pages) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
