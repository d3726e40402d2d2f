#!/bin/bash
# one launcher run at a time, nice'd
cd /work/wt/h90
python - <<'PY' > /tmp/h90/train_cmds.txt
import json, shlex
for i, c in enumerate(json.load(open('/tmp/h90/train_cases.json'))):
    cfg = 'configs/tabular_regression.py' if c['task'] == 'regression' else 'configs/tabular_binary.py'
    args = ['nice', '-n', '10', 'python', '-m', 'launchers.train', f'--config={cfg}', '--config.data.name=csv',
            f"--config.data.path={c['path']}", f"--config.data.label_column={c['label']}", '--config.train.epochs=5',
            *( [f"--config.task.name={c['task']}"] if c['task'] == 'classification' else []), *c['settings'], f'--workdir=/tmp/h90/run_{i}']
    print(i, shlex.join(args))
PY
while read i cmd; do
  rm -rf /tmp/h90/run_$i
  s=$(date +%s)
  PYTHONPATH=/work/wt/h90 TF_CPP_MIN_LOG_LEVEL=3 bash -c "$cmd" > /tmp/h90/log_$i.txt 2>&1
  echo "$i rc=$? $(( $(date +%s)-s ))s" >> /tmp/h90/train_status.txt
done < /tmp/h90/train_cmds.txt
echo DONE >> /tmp/h90/train_status.txt
