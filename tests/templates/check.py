#!/usr/bin/env python3
# Copyright the rcdk authors. Licensed under the Apache License, Version 2.0.
"""Parse checks for the CloudFormation test templates.

* every ``*.yaml``/``*.yml`` file under seed-001/ and corpus/ must parse with a
  SafeLoader that accepts CloudFormation short-form tags (``!Ref``, ``!GetAtt``, ...)
  and must not contain duplicate mapping keys, anchors or aliases;
* every ``*.json`` file there must parse with a duplicate-key check;
* the top level must be a mapping with a ``Resources`` mapping whose logical ids
  are ASCII alphanumeric and whose entries each have a ``Type``;
* files under bad/ must each carry a first-line comment (YAML) and, apart from
  the ones that are meant to break parsing, still be readable.

Exits non-zero on the first kind of problem found (all problems are printed).
"""
import json
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
GOOD_DIRS = ["seed-001", "corpus"]
ID_RE = re.compile(r"^[A-Za-z0-9]+$")


class DuplicateKey(Exception):
    pass


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that accepts any ``!Tag`` and rejects duplicate keys and aliases."""


def _construct_tagged(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"!" + tag_suffix: value}


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKey(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


CfnLoader.add_multi_constructor("!", _construct_tagged)
CfnLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _no_anchors(text):
    for event in yaml.parse(text, Loader=CfnLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ValueError(f"YAML alias at line {event.start_mark.line + 1}")
        anchor = getattr(event, "anchor", None)
        if anchor:
            raise ValueError(f"YAML anchor &{anchor} at line {event.start_mark.line + 1}")


def load_yaml(path):
    text = path.read_text(encoding="utf-8")
    _no_anchors(text)
    return yaml.load(text, Loader=CfnLoader)


def _pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"duplicate key {key!r}")
        out[key] = value
    return out


def load_json(path):
    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_pairs)


def load(path):
    return load_json(path) if path.suffix == ".json" else load_yaml(path)


def check_shape(doc):
    if not isinstance(doc, dict):
        raise ValueError("top level is not a mapping")
    resources = doc.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise ValueError("no Resources mapping")
    for section in ("Rules", "Hooks"):
        if section in doc:
            raise ValueError(f"uses the {section} section")
    for logical_id, body in resources.items():
        if logical_id.startswith("Fn::ForEach::"):
            # AWS::LanguageExtensions loop: [identifier, collection, {template fragment}]
            if not (isinstance(body, list) and len(body) == 3 and isinstance(body[2], dict)):
                raise ValueError(f"{logical_id} is not [identifier, collection, fragment]")
            continue
        if not ID_RE.match(logical_id):
            raise ValueError(f"logical id {logical_id!r} is not ASCII alphanumeric")
        if not isinstance(body, dict) or "Type" not in body:
            raise ValueError(f"resource {logical_id} has no Type")
    return len(resources)


# bad/ files that must not parse as YAML/JSON at all (or must fail the duplicate check).
BAD_UNPARSEABLE = {"not-yaml.yaml", "duplicate-ids.json", "duplicate-ids.yaml"}


def main():
    problems = []
    counts = {}
    for folder in GOOD_DIRS:
        for path in sorted((HERE / folder).rglob("*")):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            rel = path.relative_to(HERE)
            try:
                counts[str(rel)] = check_shape(load(path))
            except Exception as exc:  # noqa: BLE001 - report every problem
                problems.append(f"{rel}: {exc}")
    for path in sorted((HERE / "bad").glob("*")):
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue
        rel = path.relative_to(HERE)
        if path.suffix != ".json" and not path.read_text(encoding="utf-8").startswith("#"):
            problems.append(f"{rel}: no first-line comment saying what is wrong")
        try:
            load(path)
            parsed = True
        except Exception:  # noqa: BLE001
            parsed = False
        if path.name in BAD_UNPARSEABLE and parsed:
            problems.append(f"{rel}: expected a parse/duplicate-key failure, but it loaded")
        if path.name not in BAD_UNPARSEABLE and not parsed:
            problems.append(f"{rel}: expected to parse (the error is semantic), but it did not")
    for rel, n in counts.items():
        if "-v" in sys.argv:
            print(f"{n:4d} {rel}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"check.py: {len(counts)} good templates parse; bad/ inputs behave as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
