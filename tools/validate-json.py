#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema (Draft 2020-12) with Python's jsonschema.

Usage: tools/validate-json.py SCHEMA [FILE|-]

Reads the document from FILE, or standard input when FILE is '-' or left out. Prints every
violation (its place in the document and the message) to standard error and exits 1 when there
are any, 2 when the schema or the document cannot be read or the schema itself is not a valid
Draft 2020-12 schema, 0 when the document conforms. Works with Debian's python3-jsonschema (4.10)
and pip's (4.26). The tests run it on the real outputs of `fanout ... --json`.
"""
import json
import sys

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
except ImportError:
    sys.stderr.write("validate-json: the Python module jsonschema is missing (Debian: python3-jsonschema)\n")
    sys.exit(2)


def load(path, what):
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"validate-json: cannot read the {what} {path}: {e}\n")
        sys.exit(2)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: validate-json.py SCHEMA [FILE|-]\n")
        return 2
    schema = load(argv[1], "schema")
    document = load(argv[2] if len(argv) == 3 else "-", "document")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        sys.stderr.write(f"validate-json: {argv[1]} is not a valid Draft 2020-12 schema: {e.message}\n")
        return 2
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for e in errors:
        place = "/" + "/".join(str(p) for p in e.absolute_path)
        sys.stderr.write(f"{place}: {e.message}\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
