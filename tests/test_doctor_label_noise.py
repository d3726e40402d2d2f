"""data.label_noise at half or more is named as the data problem it is, once."""

import pytest

from ktrain_kit.doctor import rules
from tests.doctor_records import AT_CHANCE, classes, epochs_from


def _healthy_curves():
    """A run that learns (val accuracy 0.76 on clean labels, as 80% noise on digits gives)."""
    return [{"loss": l, "val_loss": l * 0.6, "accuracy": 0.25, "val_accuracy": 0.76}
            for l in (2.3, 2.1, 2.0, 1.95)]


@pytest.mark.parametrize("noise, named", [(0.8, True), (0.5, True), (0.3, False), (0.0, False)])
def test_half_or_more_of_the_labels_replaced_is_a_data_problem(noise, named):
    facts = {**classes(True), "reference": {}, "label_noise": noise, "from_launcher": True}
    found = [f for f in rules.diagnose(_healthy_curves(), [], [], facts)
             if f.symptom == "data_problem"]
    assert len(found) == int(named)
    if named:
        assert found[0].severity == "warning"
        assert found[0].suggested_overrides == ["--config.data.label_noise=0.0"]
        assert f"{noise:.0%}" in found[0].causes[0]


def test_labels_at_chance_are_named_once_by_the_critical_rule():
    facts = {**classes(True), "reference": AT_CHANCE, "label_noise": 1.0, "from_launcher": True}
    found = rules.diagnose(epochs_from([2.3, 2.3, 2.3, 2.3]), [], [], facts)
    data = [f for f in found if f.symptom == "data_problem"]
    assert [f.severity for f in data] == ["critical"]
