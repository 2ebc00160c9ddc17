#!/usr/bin/env python3
"""Checks that every #include of the compiler, the runtime and common/ goes down a layer.

The layers, lowest first (README, "Layout"; docs/architecture.md):
  include/pktc/   the runtime's public API and the shared tables: includes only itself
  common/         shared by compiler and runtime: includes itself and include/pktc/
  compiler/       support < frontend < ir < sema < codegen < driver
  runtime/        base < net, report < commands < exec < wire < harness
A file may include headers of its own folder, of a lower layer of its side, of common/ and of
include/pktc/ (the compiler: all of include/pktc/ but runtime.h, the generated code's API).
No include climbs with "../". Prints every violation as file:line and exits 1 if there is one.

  check_layering.py SOURCE_DIR
"""
import os
import re
import sys

COMPILER = ["support", "frontend", "ir", "sema", "codegen", "driver"]
RUNTIME = {"base": 0, "net": 1, "report": 1, "commands": 2, "exec": 3, "wire": 4, "harness": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def classify(root, path):
    """(side, layer) of a file under root, or None for files outside the layered tree."""
    rel = os.path.relpath(path, root).split(os.sep)
    if rel[0] in ("compiler", "runtime") and len(rel) > 2:
        return rel[0], rel[1]
    if rel[0] == "common":
        return "common", None
    if rel[:2] == ["include", "pktc"]:
        return "include", None
    return None


def resolve(root, side, including_dir, name):
    """The file an include names: beside the including file, then the side's include roots."""
    roots = [including_dir]
    if side in ("compiler", "runtime"):
        roots.append(os.path.join(root, side))
    roots += [os.path.join(root, "common"), os.path.join(root, "include")]
    for base in roots:
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(candidate):
            return candidate
    return None


def allowed(side, layer, target, target_name):
    t_side, t_layer = target
    if t_side == "include":
        return not (side == "compiler" and target_name.endswith("pktc/runtime.h"))
    if t_side == "common":
        return side != "include"
    if t_side != side:
        return False
    if side == "compiler":
        return COMPILER.index(t_layer) <= COMPILER.index(layer)
    if side == "runtime":
        return t_layer == layer or RUNTIME[t_layer] < RUNTIME[layer]
    return True


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems = []
    checked = 0
    for top in ("compiler", "runtime", "common", os.path.join("include", "pktc")):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith((".h", ".cc", ".inc", ".def", ".in")):
                    continue
                path = os.path.join(dirpath, f)
                where = classify(root, path)
                if where is None:
                    rel = os.path.relpath(path, root)
                    problems.append(f"{rel}: outside the layered folders (see README, Layout)")
                    continue
                side, layer = where
                if side == "compiler" and layer not in COMPILER or \
                   side == "runtime" and layer not in RUNTIME:
                    problems.append(f"{os.path.relpath(path, root)}: unknown layer '{layer}'")
                    continue
                with open(path, encoding="utf-8") as src:
                    for number, line in enumerate(src, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        checked += 1
                        name = m.group(1)
                        rel = f"{os.path.relpath(path, root)}:{number}"
                        if name.startswith("llvm/"):
                            if side != "compiler":
                                problems.append(f"{rel}: {name}: LLVM belongs to the compiler only")
                            continue
                        if ".." in name.split("/"):
                            problems.append(f"{rel}: {name}: climbs with '..'")
                            continue
                        target_path = resolve(root, side, dirpath, name)
                        if target_path is None:
                            if name == "pktc_config.h" and side == "compiler":
                                continue  # generated into the build tree
                            problems.append(f"{rel}: {name}: not found in the layers it may use")
                            continue
                        target = classify(root, target_path)
                        if target is None or not allowed(side, layer, target, target_path):
                            shown = os.path.relpath(target_path, root)
                            problems.append(f"{rel}: {name} ({shown}) is not below {side}/{layer or ''}")
    for p in problems:
        print(p)
    print(f"layering: {checked} includes checked, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
