import subprocess, sys, json
code = """
import time, sys
from ktrain_kit.data import table as T
best = {}
for k in range(3):
    for f in ('/tmp/h86/big.arff', '/tmp/h86/big.csv'):
        t = time.process_time(); T.read_table(f); d = time.process_time() - t
        best[f] = min(best.get(f, 9e9), d)
print(best)
"""
for tree in sys.argv[1:]:
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": tree, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    print(tree, out.stdout.strip(), out.stderr[-300:])
