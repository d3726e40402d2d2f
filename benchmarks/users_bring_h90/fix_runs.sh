cd /work/wt/h90
run() { i=$1; shift; rm -rf /tmp/h90/fixrun_$i; PYTHONPATH=/work/wt/h90 TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python -m launchers.train "$@" --config.train.epochs=5 --workdir=/tmp/h90/fixrun_$i > /tmp/h90/fixlog_$i.txt 2>&1; echo "$i rc=$?" >> /tmp/h90/fix_status.txt; }
run orange --config=configs/tabular_binary.py --config.task.name=classification --config.data.name=csv --config.data.path=/tmp/h90/data/fix/iris_orange_one_line.csv
run sep --config=configs/tabular_binary.py --config.task.name=classification --config.data.name=csv --config.data.path=/tmp/h90/data/fix/wine_excel_sep.csv
run matrix --config=configs/tabular_regression.py --config.data.name=csv --config.data.path=/tmp/h90/data/fix/matrix_numbered.csv
run notes --config=configs/tabular_binary.py --config.data.name=csv --config.data.path=/tmp/h90/data/kag/reviews_all.csv --config.data.label_column=recommended '--config.data.features={"price": "categorical", "discount": "categorical"}'
echo DONE >> /tmp/h90/fix_status.txt
