"""The doctor's fault gallery: each config reliably shows one training problem.

Run one and read its diagnosis.md:

    python -m launchers.train --config=configs/faults/lr_too_high.py

tests/test_doctor.py checks that the doctor names each one's symptom.
"""
