#!/usr/bin/env python3
"""The library graph, read from the CMakeLists and compared with the README's picture.

Reads every add_library/add_executable ALIAS, EXPORT_NAME and target_link_libraries of the
product CMakeLists (trace, runtime, asio, sim, properties, tools/render, model, scenarios, tools),
keeps the edges between weft's own targets (PUBLIC, PRIVATE, or $<LINK_ONLY:...>), and
prints them as the mermaid lines the README holds between its `library-graph` markers.
  libgraph.py            print the graph from CMake
  libgraph.py --check    exit 1, with the difference, when README.md's block differs
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIRS = ["trace", "runtime", "asio", "sim", "properties", "tools/render", "model", "scenarios", "tools"]


def commands(text):
    """(name, args) for every CMake command, comments dropped, arguments joined."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"\b(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text):
        yield m.group(1).lower(), m.group(2).split()


def read_graph():
    names, links = {}, {}
    for d in DIRS:
        f = ROOT / d / "CMakeLists.txt"
        for cmd, args in commands(f.read_text()):
            if cmd in ("add_library", "add_executable") and len(args) >= 3 and args[1] == "ALIAS":
                names.setdefault(args[2], args[0])
            elif cmd == "set_target_properties" and "EXPORT_NAME" in args:
                names.setdefault(args[0], "weft::" + args[args.index("EXPORT_NAME") + 1])
            elif cmd == "target_link_libraries":
                links[args[0]] = args[1:]
    display = lambda t: names.get(t, t)
    ours = set(names) | set(names.values())
    edges = set()
    for target, args in links.items():
        if target not in ours:
            continue  # executables beside the product (http_server, benchmarks)
        scope = "PUBLIC"
        for a in args:
            if a in ("PUBLIC", "PRIVATE", "INTERFACE"):
                scope = a
                continue
            kind = "private" if scope == "PRIVATE" else ""
            m = re.fullmatch(r"\$<LINK_ONLY:(.+)>", a)
            if m:
                a, kind = m.group(1), "link only"
            if a in ours:
                edges.add((display(target), display(a), kind))
    return edges


def node(name):
    return re.sub(r"\W", "_", name.replace("weft::", ""))


def lines(edges):
    out = []
    for a, b, kind in sorted(edges):
        arrow = f"-->|{kind}|" if kind else "-->"
        out.append(f'  {node(a)}["{a}"] {arrow} {node(b)}["{b}"]')
    return out


def readme_lines():
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- library-graph -->\s*```mermaid\n(.*?)```", text, re.S)
    if not m:
        return None
    return [l.rstrip() for l in m.group(1).splitlines() if "-->" in l]


def main():
    want = lines(read_graph())
    if "--check" not in sys.argv:
        print("\n".join(want))
        return 0
    have = readme_lines()
    if have is None:
        print("README.md has no <!-- library-graph --> mermaid block")
        return 1
    if sorted(have) == want:
        return 0
    for l in sorted(set(want) - set(have)):
        print("in CMake, not in README.md:" + l)
    for l in sorted(set(have) - set(want)):
        print("in README.md, not in CMake:" + l)
    return 1


if __name__ == "__main__":
    sys.exit(main())
