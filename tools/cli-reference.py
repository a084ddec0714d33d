#!/usr/bin/env python3
"""Writes docs/cli-reference.md from the command definitions.

Reads `fanout --experimental-dump-help` (swift-argument-parser's description of the whole
command tree, the same data every `--help` is printed from) and writes one section per command:
its abstract, the text of its help, its usage, arguments and options with their value names,
defaults and allowed values.

    swift build && python3 tools/cli-reference.py                # writes docs/cli-reference.md
    python3 tools/cli-reference.py --fanout PATH --out FILE      # another binary or file

CLITests/CLIReferenceTests regenerates it into a temporary file and fails when the committed
file differs.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def prose(text):
    """Help text as Markdown text: `<` and `*` (CAP's <info>, R*Tree) shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("*", "\\*")


def names(argument):
    """The spellings of an option or flag, long names first (`--help`, `-h`)."""
    spelled = []
    for n in argument.get("names", []):
        prefix = "--" if n["kind"] == "long" else "-"
        spelled.append(prefix + n["name"])
    return sorted(spelled, key=lambda s: (not s.startswith("--"), s))


def is_help(argument):
    """Whether this is the `-h`/`--help` flag every command has."""
    return "help" in [n["name"] for n in argument.get("names", [])]


def synopsis(argument):
    """How an argument is written on the command line: `--db <FILE>`, `--json`, `<file>`."""
    value = "<%s>" % argument.get("valueName", "value")
    if argument["kind"] == "positional":
        text = value
    elif argument["kind"] == "flag":
        text = names(argument)[0]
    else:
        text = "%s %s" % (names(argument)[0], value)
    return text + (" ..." if argument.get("isRepeating") else "")


def usage(command, path):
    """The usage line, as argument-parser prints it (every argument listed)."""
    parts = [" ".join(path)]
    for a in command.get("arguments", []):
        if not a.get("shouldDisplay", True) or is_help(a):
            continue
        s = synopsis(a)
        parts.append("[%s]" % s if a.get("isOptional") else s)
    if any(s.get("shouldDisplay", True) for s in command.get("subcommands", [])):
        parts.append("<subcommand>")
    return " ".join(parts)


def describe(argument):
    """The help text of an argument, with its default and allowed values."""
    text = prose(argument.get("abstract", ""))
    extras = []
    if argument.get("allValues"):
        extras.append("values: " + ", ".join("`%s`" % v for v in argument["allValues"]))
    if "defaultValue" in argument and argument["kind"] != "flag":
        extras.append("default: `%s`" % argument["defaultValue"])
    if extras:
        text += " (" + "; ".join(extras) + ")"
    if argument.get("discussion"):
        text += " " + prose(argument["discussion"])
    return text


def anchor(path):
    return "-".join(path)


def section(command, path, out):
    """Writes one command's section, then its subcommands'."""
    out.append('<a id="%s"></a>' % anchor(path))
    out.append("")
    out.append("## `%s`" % " ".join(path))
    out.append("")
    out.append(prose(command.get("abstract", "")))
    out.append("")
    if command.get("discussion"):
        out.append(prose(command["discussion"].strip()))
        out.append("")
    out.append("```")
    out.append(usage(command, path))
    out.append("```")
    out.append("")
    shown = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True) and not is_help(a)]
    positionals = [a for a in shown if a["kind"] == "positional"]
    if positionals:
        out.append("Arguments:")
        out.append("")
        for a in positionals:
            out.append("- `%s`: %s" % (synopsis(a), describe(a)))
        out.append("")
    groups = {}
    for a in shown:
        if a["kind"] != "positional":
            groups.setdefault(a.get("sectionTitle", "Options"), []).append(a)
    for title in sorted(groups, key=lambda t: (t != "Options", t)):
        out.append("%s:" % title)
        out.append("")
        for a in groups[title]:
            spelled = ", ".join("`%s`" % n for n in names(a))
            if a["kind"] == "option":
                spelled = "`%s <%s>`" % (names(a)[0], a.get("valueName", "value")) + "".join(
                    ", `%s`" % n for n in names(a)[1:])
            out.append("- %s: %s" % (spelled, describe(a)))
        out.append("")
    subcommands = [
        s for s in command.get("subcommands", []) if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    if subcommands:
        out.append("Subcommands:")
        out.append("")
        for s in subcommands:
            sub = path + [s["commandName"]]
            out.append("- [`%s`](#%s): %s" % (" ".join(sub), anchor(sub), prose(s.get("abstract", ""))))
        out.append("")
    for s in subcommands:
        section(s, path + [s["commandName"]], out)


def reference(dump):
    """The whole document for the dump's command tree."""
    root = dump["command"]
    out = [
        "# fanout command-line reference",
        "",
        "Generated from the command definitions by `tools/cli-reference.py` from `fanout "
        "--experimental-dump-help`; do not edit by hand. After changing a command, run "
        "`swift build && python3 tools/cli-reference.py` (`CLITests/CLIReferenceTests` fails while this "
        "file is out of date). Each section is what `fanout help <command>` prints (every command also "
        "takes `-h`/`--help`); the manual is [cli.md](cli.md).",
        "",
    ]
    section(root, [root["commandName"]], out)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fanout", default=os.path.join(ROOT, ".build", "debug", "fanout"),
                        help="the fanout binary (default: .build/debug/fanout)")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "cli-reference.md"),
                        help="where to write (default: docs/cli-reference.md)")
    args = parser.parse_args()
    try:
        result = subprocess.run([args.fanout, "--experimental-dump-help"], capture_output=True, text=True)
    except OSError as e:
        sys.exit("cli-reference.py: cannot run %s: %s (build it with 'swift build')" % (args.fanout, e.strerror))
    if result.returncode != 0:
        sys.exit("cli-reference.py: %s --experimental-dump-help exited with %d: %s"
                 % (args.fanout, result.returncode, result.stderr.strip()))
    try:
        dump = json.loads(result.stdout)
    except ValueError as e:
        sys.exit("cli-reference.py: %s --experimental-dump-help: not JSON: %s" % (args.fanout, e))
    text = reference(dump)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
