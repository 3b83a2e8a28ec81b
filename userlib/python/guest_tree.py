#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Lay out the Python the VM needs as a tree to copy into its initramfs.

    guest_tree.py --python /usr/bin/python3 --lib BUILD/python/lib \\
                  --src userlib/python --out BUILD/python/guest

The tree (scripts/vm-run.sh copies it over the guest's root):

  usr/bin/python3.11, python3       the build host's Debian interpreter
  lib/..., lib64/...                its shared libraries (as ldd finds them)
  usr/lib/python3.X/                the standard library modules the tests
                                    and the benchmark import, and the whole
                                    of the packages they use (asyncio,
                                    unittest, ...), compiled and without
                                    their sources; lib-dynload/ the C
                                    modules among them
  usr/lib/python3/dist-packages/rpcdev/   the package, with its sources
  usr/lib/rpcdev-python/            the tests and bench_artiq.py
  selftests/rpcdev_python_test      the tests' runner, a guest test program

Which modules: the interpreter imports every test module, the runner and
the benchmark (importing defines, it runs nothing) with ssl blocked (asyncio
does without; it would pull in OpenSSL), and what it then has loaded from
the standard library is kept, with the packages listed in WHOLE_PACKAGES
whole (they import parts of themselves late) and a few modules imported
late by others (LATE_MODULES). Precompiled and sourceless, the standard
library costs no compiling at boot, and a few megabytes.
"""

import argparse
import json
import os
import py_compile
import shutil
import subprocess
import sys
import sysconfig

# Packages taken whole once any part of them is used.
WHOLE_PACKAGES = {"asyncio", "unittest", "concurrent", "json", "collections",
                  "importlib", "re", "email", "urllib"}
# Never: tests of the standard library, and what only they or tools need.
SKIP_PARTS = {"test", "tests", "idlelib", "tkinter", "turtledemo",
              "ensurepip", "lib2to3", "pydoc_data", "distutils", "venv",
              "__pycache__", "site-packages", "dist-packages"}
# Imported late (inside functions) by modules that are kept: the
# encodings a str may be converted with, the interpreter's own -m and
# sysconfig data, pickle's helpers.
LATE_MODULES = [
    "encodings.aliases", "encodings.ascii", "encodings.latin_1",
    "encodings.utf_8", "encodings.utf_8_sig", "encodings.utf_16",
    "encodings.utf_32", "encodings.idna", "encodings.punycode",
    "encodings.raw_unicode_escape", "encodings.unicode_escape",
    "stringprep", "runpy", "pkgutil", "sysconfig",
    "_sysconfigdata__x86_64-linux-gnu", "_sysconfigdata__linux_x86_64-linux-gnu",
    "concurrent.futures.thread", "asyncio.unix_events", "_compat_pickle",
    "_weakrefset", "copyreg", "pickle", "queue", "tempfile", "shutil",
    "random", "bisect", "heapq", "pprint", "difflib", "signal", "selectors",
]

FINDER = r"""
import importlib, json, os, sys
sys.modules["ssl"] = None          # asyncio goes without it
sys.modules["_ssl"] = None
roots = json.loads(sys.argv[1])
for name in roots:
    try:
        importlib.import_module(name)
    except Exception as exc:
        print(f"note: importing {name}: {exc!r}", file=sys.stderr)
out = {}
for name, mod in list(sys.modules.items()):
    f = getattr(mod, "__file__", None)
    if f:
        out[name] = os.path.abspath(f)
print(json.dumps(out))
"""


def ldd(path):
    """The shared libraries path needs, as absolute paths."""
    out = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    libs = []
    for line in out.splitlines():
        for word in line.split():
            if word.startswith("/"):
                libs.append(word)
    return libs


def copy_file(src, root, dst=None, mode=None):
    dst = os.path.join(root, (dst or src).lstrip("/"))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(os.path.realpath(src), dst)
    shutil.copystat(os.path.realpath(src), dst)
    if mode is not None:
        os.chmod(dst, mode)
    return dst


def copy_libs(binary, root, done):
    for lib in ldd(binary):
        if lib not in done:
            done.add(lib)
            copy_file(lib, root, mode=0o755)


def stdlib_files(mods, stdlib):
    """The standard library's .py and lib-dynload files to ship."""
    files = set()
    whole = set()
    for name, path in mods.items():
        if not path.startswith(stdlib + os.sep):
            continue
        rel = os.path.relpath(path, stdlib)
        parts = rel.split(os.sep)
        if SKIP_PARTS & set(parts[:-1]):
            continue
        files.add(rel)
        if len(parts) > 1 and parts[0] in WHOLE_PACKAGES:
            whole.add(parts[0])
    for pkg in whole:
        for dirpath, dirnames, filenames in os.walk(os.path.join(stdlib, pkg)):
            dirnames[:] = [d for d in dirnames if d not in SKIP_PARTS]
            for f in filenames:
                if f.endswith(".py"):
                    files.add(os.path.relpath(os.path.join(dirpath, f), stdlib))
    return sorted(files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True)
    ap.add_argument("--lib", required=True, help="the built package's parent")
    ap.add_argument("--src", required=True, help="userlib/python")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    if os.path.realpath(args.python) != os.path.realpath(sys.executable):
        sys.exit(f"guest_tree.py must run under {args.python} itself "
                 "(its bytecode is what the guest loads)")
    root = args.out
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    ver = "%d.%d" % sys.version_info[:2]
    stdlib = sysconfig.get_paths()["stdlib"]
    tests = os.path.join(args.src, "tests")

    # What the tests, the runner and the benchmark import.
    roots = [f[:-3] for f in sorted(os.listdir(tests)) if f.endswith(".py")]
    roots += ["bench_artiq", "rpcdev", "rpcdev.sim"] + LATE_MODULES
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [args.lib, tests, args.src]), PYTHONDONTWRITEBYTECODE="1")
    found = subprocess.run([args.python, "-c", FINDER, json.dumps(roots)],
                           env=env, stdout=subprocess.PIPE, check=True,
                           text=True, cwd="/")
    mods = json.loads(found.stdout)

    # The interpreter and its libraries.
    libs = set()
    exe = os.path.realpath(args.python)
    copy_file(exe, root, f"/usr/bin/python{ver}", 0o755)
    os.symlink(f"python{ver}", os.path.join(root, "usr/bin/python3"))
    copy_libs(exe, root, libs)

    # The standard library, compiled, without sources.
    dest = os.path.join(root, "usr/lib", f"python{ver}")
    count = 0
    for rel in stdlib_files(mods, stdlib):
        src = os.path.join(stdlib, rel)
        if rel.endswith(".py"):
            out = os.path.join(dest, rel + "c")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            py_compile.compile(src, cfile=out, dfile=src, doraise=True)
        else:
            out = copy_file(src, dest, rel, 0o755)
            copy_libs(src, root, libs)
        count += 1

    # The package: sources kept (tracebacks show them), compiled beside.
    pkg = os.path.join(root, "usr/lib/python3/dist-packages/rpcdev")
    shutil.copytree(os.path.join(args.lib, "rpcdev"), pkg,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for f in os.listdir(pkg):
        if f.endswith(".so"):
            # Its debugging information stays in the build tree.
            subprocess.run(["strip", "--strip-debug", os.path.join(pkg, f)],
                           check=False)
            copy_libs(os.path.join(pkg, f), root, libs)

    # The tests, the benchmark and the runner.
    share = os.path.join(root, "usr/lib/rpcdev-python")
    shutil.copytree(tests, os.path.join(share, "tests"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    copy_file(os.path.join(args.src, "bench_artiq.py"), share,
              "bench_artiq.py", 0o755)
    copy_file(os.path.join(args.src, "rpcdev_python_test"), root,
              "/selftests/rpcdev_python_test", 0o755)
    for d in (pkg, share):
        for dirpath, _, filenames in os.walk(d):
            for f in filenames:
                if f.endswith(".py"):
                    py_compile.compile(os.path.join(dirpath, f), doraise=True)

    size = sum(os.path.getsize(os.path.join(dp, f))
               for dp, _, fs in os.walk(root) for f in fs
               if not os.path.islink(os.path.join(dp, f)))
    print(f"guest Python in {root}: {count} standard library files, "
          f"{len(libs)} libraries, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
