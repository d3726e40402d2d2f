#!/bin/bash
# Round h94's runs through the command (train_cases.json), one at a time, nice'd; 5 epochs, seed 0.
cd "$(dirname "$0")/../.."
python - <<'PY' > /tmp/h94/train_cmds.txt
import json, shlex
for i, c in enumerate(json.load(open('/tmp/h94/train_cases.json'))):
    cfg = 'configs/tabular_regression.py' if c['task'] == 'regression' else 'configs/tabular_binary.py'
    args = ['nice', '-n', '10', 'python', '-m', 'launchers.train', f'--config={cfg}', '--config.data.name=csv',
            f"--config.data.path={c['path']}", f"--config.data.label_column={c['label']}", '--config.train.epochs=5',
            *([f"--config.task.name={c['task']}"] if c['task'] == 'classification' else []), *c['settings'],
            f'--workdir=/tmp/h94/runs/run_{i}']
    print(i, shlex.join(args))
PY
: > /tmp/h94/train_status.txt
while read i cmd; do
  rm -rf /tmp/h94/runs/run_$i
  s=$(date +%s)
  PYTHONPATH=$PWD TF_CPP_MIN_LOG_LEVEL=3 bash -c "$cmd" > /tmp/h94/runs/log_$i.txt 2>&1
  echo "$i rc=$? $(( $(date +%s)-s ))s" >> /tmp/h94/train_status.txt
done < /tmp/h94/train_cmds.txt
echo DONE >> /tmp/h94/train_status.txt
