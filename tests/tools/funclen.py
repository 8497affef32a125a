#!/usr/bin/env python3
"""Function-length ratchet: lists the function bodies of product code longer than a limit.

Usage: funclen.py [--limit N] DIR...   prints "path:line: name (N lines)" per long function,
then "count: K". Heuristic, no compiler: comments and string/char literals are blanked, then
a '{' opens a function body when the code before it (back to the previous ';', '{' or '}')
ends like a declarator: ')' followed only by qualifiers (const, noexcept, override, final,
mutable, a trailing return type, a member-initialiser list). Braces inside a body
(lambdas, blocks, local classes) belong to that body.
"""
import os
import re
import sys

CONTROL = re.compile(r'\b(if|for|while|switch|catch|do|else|return|co_return|co_await|co_yield)\b')
SUFFIX = re.compile(r'\)\s*(const\b|noexcept(\s*\([^()]*\))?|override\b|final\b|mutable\b|&&|&|\s)*'
                    r'(->\s*[\w:<>,\s\*&]+)?\s*$')


def blank(text):
    """Replaces comments and string/char literal contents with spaces, keeping newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = ')' + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + re.sub(r'[^\n]', ' ', text[i + 2:j]))
            i = j
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            q = c
            j = i + 1
            while j < n and text[j] != q and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(q + ' ' * max(0, j - i - 2) + q)
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def long_functions(path, limit):
    with open(path, encoding='utf-8', errors='replace') as f:
        code = blank(f.read())
    found = []
    depth = 0          # brace depth outside function bodies
    body_depth = None  # depth at which the current function body opened
    start = 0          # offset where the current statement/declaration began
    body_line = 0
    name = ''
    for i, c in enumerate(code):
        if body_depth is not None:
            if c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == body_depth:
                    lines = code.count('\n', body_open, i) + 1
                    if lines > limit:
                        found.append((body_line, name, lines))
                    body_depth = None
                    start = i + 1
            continue
        if c == '{':
            head = code[start:i]
            # A member-initialiser list: the declarator ends before ') :'.
            decl = re.sub(r'\)\s*:\s*[^;{}]*$', ')', head) if re.search(r'\)\s*:[^:]', head) else head
            if SUFFIX.search(decl) and not CONTROL.search(decl.split('(')[0]) and '=' not in decl.split('(')[0]:
                m = re.search(r'([~\w:]+(?:operator\s*\S+?)?)\s*\(', decl)
                name = m.group(1) if m else '?'
                body_depth = depth
                body_open = i
                body_line = code.count('\n', 0, i) + 1
            depth += 1
            start = i + 1
        elif c == '}':
            depth -= 1
            start = i + 1
        elif c == ';':
            start = i + 1
    return found


def main(argv):
    limit = 80
    if len(argv) > 2 and argv[1] == '--limit':
        limit = int(argv[2])
        argv = argv[2:]
    count = 0
    for root in argv[1:]:
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if not x.startswith('build'))
            for fn in sorted(files):
                if fn.endswith(('.cpp', '.hpp')):
                    p = os.path.join(d, fn)
                    for line, name, n in long_functions(p, limit):
                        print(f'{p}:{line}: {name} ({n} lines)')
                        count += 1
    print(f'count: {count}')


if __name__ == '__main__':
    main(sys.argv)
