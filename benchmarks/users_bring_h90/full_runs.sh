cd /work/wt/h90
for i in 2 4 7 8 9 11 13; do
  cmd=$(grep "^$i " /tmp/h90/train_cmds.txt | cut -d' ' -f2- | sed "s| --config.train.epochs=5||; s|--workdir=/tmp/h90/run_$i|--workdir=/tmp/h90/run_${i}_full|")
  rm -rf /tmp/h90/run_${i}_full
  PYTHONPATH=/work/wt/h90 TF_CPP_MIN_LOG_LEVEL=3 bash -c "$cmd" > /tmp/h90/logfull_$i.txt 2>&1
  echo "$i rc=$? $(python -c "import json;s=json.load(open('/tmp/h90/run_${i}_full/summary.json'));print(s['epochs_run'], s['val_metrics'])" 2>&1 | tail -1)" >> /tmp/h90/full_status.txt
done
echo DONE >> /tmp/h90/full_status.txt
