# find_peers.py — finding the peer implementations the interop tests and benchmarks run:
# a Python interpreter that has a module, and node with npm mailauth installed here.
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def python_with(module):
    """An interpreter that can import `module` (Debian's python3-dkim and python3-spf live in
    /usr/bin/python3), or None."""
    for py in (sys.executable, '/usr/bin/python3'):
        if py and os.path.exists(py) and subprocess.run(
                [py, '-c', f'import {module}'], stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def mailauth_node(node):
    """The node program `node` names (on PATH or as a path) when npm mailauth is installed in
    tests/interop/node_modules (setup.sh), or None."""
    node = shutil.which(node) or (node if os.path.exists(node) else None)
    if node and os.path.isfile(os.path.join(HERE, 'node_modules', 'mailauth', 'package.json')):
        return node
    return None
