"""The training doctor's public benchmark: small plain-Keras trainings, buggy and healthy.

`cases.py` describes each training as data (data set, model, compile, fit, the symptoms the
doctor must name, the ones it may name, and a ground-truth check that the bug really shows);
`build.py` turns a description into NumPy data and a compiled Keras model. Run them with
`python -m benchmarks.doctor_eval`.
"""
