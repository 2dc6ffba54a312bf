# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The code blocks of the collection's docs, for the tests that hold the docs to what they show.

    doc_blocks.py lint-tree OUTDIR DOC...    every YAML block of the DOCs (Markdown fences, reStructuredText
                                             code-block directives, each YAML document of a plugin's EXAMPLES) as a
                                             file ansible-lint classifies: plays in playbooks/, task lists in tasks/,
                                             inventory sources in inventory/, other mappings in group_vars/; prints
                                             how many of each
    doc_blocks.py walkthrough README OUT.sh  the sh blocks of the README's "The first ten minutes", in order, as one
                                             bash script; a YAML block there whose first line is "# <path>" becomes a
                                             step that writes that file. Environment: WALKTHROUGH_NETWORK replaces
                                             its 127.0.10. network, WALKTHROUGH_BEFORE_STOP is a command run before
                                             the last block (the one that stops the farm)

Each file or step carries the DOC and line it came from, so a failure points at the doc.
"""

from __future__ import annotations

import ast
import os
import re
import sys

import yaml

FENCE = re.compile(r"^```(\S*)\s*$")
RST_DIRECTIVE = re.compile(r"^(\s*)\.\. code-block::\s*(\S+)\s*$")
WALKTHROUGH = "## The first ten minutes"
DOC_NETWORK = "127.0.10."
PATH_COMMENT = re.compile(r"^# ([\w./-]+\.ya?ml)\s*$")


class Block:
    def __init__(self, doc: str, line: int, lang: str, text: str, section: str) -> None:
        self.doc, self.line, self.lang, self.text, self.section = doc, line, lang, text, section

    @property
    def where(self) -> str:
        return "%s:%d" % (os.path.basename(self.doc), self.line)


def markdown_blocks(doc: str) -> list:
    blocks, section, lang, start, body = [], "", None, 0, []
    with open(doc, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            match = FENCE.match(line)
            if lang is None:
                if match:
                    lang, start, body = match.group(1), number + 1, []
                elif line.startswith("## "):
                    section = line
            elif match and not match.group(1):
                blocks.append(Block(doc, start, lang, "\n".join(body) + "\n", section))
                lang = None
            else:
                body.append(line)
    if lang is not None:
        raise SystemExit("%s:%d: a code fence is never closed" % (doc, start))
    return blocks


def rst_blocks(doc: str) -> list:
    with open(doc, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        match = RST_DIRECTIVE.match(lines[index])
        index += 1
        if not match:
            continue
        indent = len(match.group(1))
        while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith(":")):
            index += 1
        start, body = index + 1, []
        while index < len(lines) and (not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent):
            body.append(lines[index])
            index += 1
        while body and not body[-1].strip():
            body.pop()
        margin = min(len(b) - len(b.lstrip()) for b in body if b.strip())
        blocks.append(Block(doc, start, match.group(2), "\n".join(b[margin:] for b in body) + "\n", ""))
    return blocks


def examples_blocks(doc: str) -> list:
    """The YAML documents of a plugin's EXAMPLES string, each a block starting at its line in the file."""
    with open(doc, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["EXAMPLES"]:
            blocks, line, body = [], node.lineno + 1, []
            for number, text in enumerate(node.value.value.split("\n")[1:], node.lineno + 1):
                if text == "---":
                    blocks.append(Block(doc, line, "yaml", "\n".join(body).strip("\n") + "\n", ""))
                    line, body = number + 1, []
                else:
                    body.append(text)
            blocks.append(Block(doc, line, "yaml", "\n".join(body).strip("\n") + "\n", ""))
            return [b for b in blocks if b.text.strip()]
    raise SystemExit("%s: no EXAMPLES string" % doc)


def doc_blocks(doc: str) -> list:
    if doc.endswith(".py"):
        return examples_blocks(doc)
    return rst_blocks(doc) if doc.endswith(".rst") else markdown_blocks(doc)


def kind_of(block: Block) -> str:
    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError as err:
        raise SystemExit("%s: the YAML block does not parse: %s" % (block.where, err)) from None
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        plays = [item for item in data if "hosts" in item or "import_playbook" in item]
        if plays and len(plays) != len(data):
            raise SystemExit("%s: the YAML block mixes plays and tasks" % block.where)
        return "playbooks" if plays else "tasks"
    if isinstance(data, dict):
        return "inventory" if "plugin" in data else "group_vars"
    raise SystemExit("%s: the YAML block is neither plays, tasks nor a mapping" % block.where)


def lint_tree(out: str, docs: list) -> int:
    counts: dict = {}
    for doc in docs:
        for number, block in enumerate(b for b in doc_blocks(doc) if b.lang in ("yaml", "yml")):
            kind = kind_of(block)
            counts[kind] = counts.get(kind, 0) + 1
            stem = "%s_%03d_line%d" % (re.sub(r"\W", "_", os.path.basename(doc)), number, block.line)
            name = stem + (".whatsminer.yml" if kind == "inventory" else ".yml")
            os.makedirs(os.path.join(out, kind), exist_ok=True)
            with open(os.path.join(out, kind, name), "w", encoding="utf-8") as handle:
                handle.write("---\n# from %s\n%s" % (block.where, block.text))
    total = sum(counts.values())
    if not total:
        raise SystemExit("no YAML block found in %s" % ", ".join(docs))
    print("%d YAML blocks: %s" % (total, ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))))
    return 0


def walkthrough(readme: str, out: str) -> int:
    network = os.environ.get("WALKTHROUGH_NETWORK", DOC_NETWORK)
    before_stop = os.environ.get("WALKTHROUGH_BEFORE_STOP", "")
    blocks = [b for b in markdown_blocks(readme) if b.section == WALKTHROUGH and b.lang in ("sh", "yaml")]
    if not blocks or blocks[-1].lang != "sh" or "kill" not in blocks[-1].text:
        raise SystemExit("%s: %r must end with an sh block that stops the farm" % (readme, WALKTHROUGH))
    steps = ["# The README's %r, block by block (made by doc_blocks.py)" % WALKTHROUGH[3:]]
    for index, block in enumerate(blocks):
        text = block.text.replace(DOC_NETWORK, network)
        steps.append("echo '== %s'" % block.where)
        if block.lang == "sh":
            if index == len(blocks) - 1 and before_stop:
                steps.append(before_stop)
            steps.append(text.rstrip("\n"))
            continue
        first = text.split("\n", 1)[0]
        match = PATH_COMMENT.match(first)
        if not match:
            raise SystemExit("%s: a YAML block of the walk-through must start with '# <file>.yml'" % block.where)
        kind_of(block)
        path = match.group(1)
        steps.append('mkdir -p "$(dirname %s)"\ncat > %s <<\'README_EOF\'\n%sREADME_EOF' % (path, path, text))
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(steps) + "\n")
    print("%d blocks of %s written to %s" % (len(blocks), readme, out))
    return 0


def main(argv: list) -> int:
    if len(argv) >= 3 and argv[0] == "lint-tree":
        return lint_tree(argv[1], argv[2:])
    if len(argv) == 3 and argv[0] == "walkthrough":
        return walkthrough(argv[1], argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
