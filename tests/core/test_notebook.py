"""The lab notebook's core: changes between runs, one-line results, Markdown and HTML."""

import json

from playground.cli import main
from playground.core.notebook import (
    changed_text,
    network_changes,
    result_line,
    setting_changes,
    to_html,
    to_markdown,
)
from playground.core.project import load_project
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig

MLP = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=128), layer("Linear", units=10)))


def test_setting_changes_name_each_setting_as_a_learner_reads_it():
    before = TrainConfig().to_dict()
    after = TrainConfig(learning_rate=0.01, augment=True, seed=None).to_dict()
    assert setting_changes(before, after) == ["lr 0.001 -> 0.01", "augmentation off -> on",
                                              "seed 0 -> random"]
    old = {k: v for k, v in before.items() if k not in ("early_stop", "restore_best")}  # an older project
    assert setting_changes(old, TrainConfig(early_stop=3).to_dict()) == ["early stopping off -> 3"]
    assert setting_changes(before, before) == []


def test_network_changes_say_what_was_added_removed_or_changed_by_layer():
    dropout = NetworkSpec((*MLP.layers[:2], layer("Dropout", p=0.5), MLP.layers[2]))
    assert network_changes(MLP.to_json(), dropout.to_json()) == ["Dropout(0.5) added after layer 2"]
    assert network_changes(dropout.to_json(), MLP.to_json()) == ["layer 3 removed: Dropout(0.5)"]
    wider = NetworkSpec((MLP.layers[0], layer("Linear", "relu", units=256), MLP.layers[2]))
    assert network_changes(MLP.to_json(), wider.to_json()) == [
        "layer 2: Linear(128) relu -> Linear(256) relu"]
    assert network_changes(MLP.to_json(), MLP.to_json()) == []
    assert network_changes("{not json", MLP.to_json())[0] == "Flatten added at the start"


def run(number, config, spec=MLP, accuracy=0.9, train=(1.0, 0.6, 0.4, 0.3, 0.2, 0.1),
        test=(0.9, 0.5, 0.45, 0.5, 0.55, 0.6), **extra):
    return {"number": number, "config": config.to_dict(), "network": "mlp", "spec_json": spec.to_json(),
            "dataset_id": "mnist-sample", "state": "finished", "final_test_accuracy": accuracy,
            "seconds": 1.0, "samples_per_second": 1000.0,
            "curves": {"epoch_x": list(range(1, len(train) + 1)), "train_loss": list(train),
                       "test_loss": list(test)}, **extra}


def test_the_result_line_names_the_score_the_epoch_and_overfitting():
    assert result_line(run(1, TrainConfig(), accuracy=0.9123)) == \
        "test acc 0.912 at epoch 6, overfitting from epoch 3"
    stopped = run(2, TrainConfig(early_stop=3), train=(1.0, 0.6, 0.4, 0.3, 0.2, 0.1), best_epoch=3,
                  stopped_early=True)
    assert result_line(stopped) == ("test acc 0.900 at epoch 3, stopped early after epoch 6, "
                                    "overfitting from epoch 3")
    diverged = run(3, TrainConfig(), test=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4), state="diverged")
    assert result_line(diverged) == "test acc 0.900 at epoch 6, diverged"
    assert result_line({"curves": {}}) == "no epoch finished"


def test_markdown_and_html_list_every_run_with_its_changes_and_note():
    runs = [run(1, TrainConfig()), run(2, TrainConfig(learning_rate=0.01), note="faster | but noisier\n<b>")]
    text = to_markdown(runs, "My runs", {2: "plots/run-2.png"})
    assert text.startswith("# My runs\n")
    assert "| 1 | first run | test acc 0.900 at epoch 6, overfitting from epoch 3 |  |" in text
    assert "| 2 | lr 0.001 -> 0.01 |" in text and "faster \\| but noisier &lt;b> |" in text
    assert "![Run 2: loss and test accuracy](plots/run-2.png)" in text and "(plots/run-1.png)" not in text
    page = to_html(runs, "My <runs>", {1: "a.png"})
    assert "<title>My &lt;runs&gt;</title>" in page and '<img src="a.png"' in page and "<b>" not in page
    assert changed_text(runs[0], runs[0]) == "nothing"


def test_a_saved_project_keeps_the_epoch_losses_and_early_stopping(tmp_path, capsys):
    path = tmp_path / "p.nnproj"
    assert main(["train", "--epochs", "14", "--early-stop", "3", "--save", str(path)]) == 0
    history = load_project(path).history
    record = json.loads(json.dumps(history[0]))
    assert record["stopped_early"] is True and record["best_epoch"] == 10 and record["note"] == ""
    assert len(record["curves"]["test_loss"]) == len(record["curves"]["epoch_x"]) == 13
    assert result_line(record).startswith("test acc 0.944 at epoch 10, stopped early after epoch 13")
