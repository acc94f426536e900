"""Out of memory: the CPU allocator's failure is caught like CUDA's; a batch that cannot fit is refused."""

from __future__ import annotations

import pytest

from playground.core import memory
from playground.core.metrics import BatchRecord
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.errors import TrainingError

CPU_OOM = ("DefaultCPUAllocator: can't allocate memory: you tried to allocate 34359738368 bytes. "
           "Error code 12 (Cannot allocate memory)")
WIDE_CNN = NetworkSpec((layer("Conv2d", "relu", filters=256, kernel=3, padding=1),
                        layer("Conv2d", "relu", filters=256, kernel=3, padding=1),
                        layer("Flatten"), layer("Linear", units=10)))


def _meminfo(tmp_path, monkeypatch, available_kib: int) -> None:
    fake = tmp_path / "meminfo"
    fake.write_text(f"MemTotal:       {available_kib * 2} kB\nMemFree:        1 kB\n"
                    f"MemAvailable:   {available_kib} kB\n")
    monkeypatch.setattr(memory, "MEMINFO", fake)
    monkeypatch.setattr(memory, "CGROUP", tmp_path / "no-cgroup")


def _records(trainer: Trainer) -> list:
    return list(trainer.run())


def test_cpu_out_of_memory_is_reported_with_the_hint_and_a_retry_works(tiny_dataset, tiny_spec, monkeypatch):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1))

    def explode(*args, **kwargs):
        raise RuntimeError(CPU_OOM)

    monkeypatch.setattr(trainer.model, "forward", explode)
    with pytest.raises(TrainingError, match="out of memory") as info:
        _records(trainer)
    assert "smaller batch" in info.value.hint and trainer.state == "failed"
    assert info.value.__context__ is None  # the failed batch's frames are not kept alive
    monkeypatch.undo()
    assert _records(trainer)[-1].state == "finished"


def test_another_runtime_error_is_not_called_out_of_memory(tiny_dataset, tiny_spec, monkeypatch):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1))

    def broken(*args, **kwargs):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    monkeypatch.setattr(trainer.model, "forward", broken)
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        _records(trainer)


def test_a_batch_that_cannot_fit_is_refused_before_it_starts(tiny_dataset, tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 1024 * 1024)  # 1 GiB free
    trainer = Trainer(WIDE_CNN, tiny_dataset, TrainConfig(epochs=1, batch_size=4096))
    run = trainer.run()
    with pytest.raises(TrainingError) as info:
        next(run)
    assert "batch of 4,096" in info.value.message and "1.0 GiB" in info.value.message
    fits = int(info.value.hint.split("batch size of ")[1].split()[0].replace(",", ""))
    assert 1 <= fits < 4096
    assert memory.batch_bytes(WIDE_CNN, tiny_dataset.input_shape, 10, fits) <= 1024**3
    assert memory.batch_bytes(WIDE_CNN, tiny_dataset.input_shape, 10, fits + 1) > 1024**3
    memory.check_batch_fits(WIDE_CNN, tiny_dataset.input_shape, 10, fits, "cpu")


def test_a_batch_that_fits_trains(tiny_dataset, tiny_spec, tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 1024 * 1024)
    records = _records(Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1, batch_size=256)))
    assert any(isinstance(r, BatchRecord) for r in records) and records[-1].state == "finished"


def test_a_network_too_big_for_even_one_sample_says_so(tiny_dataset, tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 1024)  # 1 MiB free
    with pytest.raises(TrainingError) as info:
        next(Trainer(WIDE_CNN, tiny_dataset, TrainConfig(batch_size=2)).run())
    assert "smaller network" in info.value.hint


def test_available_memory_is_the_smaller_of_meminfo_and_the_cgroup_limit(tmp_path, monkeypatch):
    _meminfo(tmp_path, monkeypatch, 4 * 1024 * 1024)
    assert memory.available_bytes() == 4 * 1024**3
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.max").write_text(f"{3 * 1024**3}\n")
    (cgroup / "memory.current").write_text(f"{1024**3}\n")
    monkeypatch.setattr(memory, "CGROUP", cgroup)
    assert memory.available_bytes() == 2 * 1024**3
    (cgroup / "memory.max").write_text("max\n")
    assert memory.available_bytes() == 4 * 1024**3
    monkeypatch.setattr(memory, "MEMINFO", tmp_path / "none")
    (cgroup / "memory.max").write_text("garbage")
    assert memory.available_bytes() is None


def test_without_a_memory_figure_nothing_is_refused(tiny_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "MEMINFO", tmp_path / "none")
    monkeypatch.setattr(memory, "CGROUP", tmp_path / "none")
    memory.check_batch_fits(WIDE_CNN, tiny_dataset.input_shape, 10, 4096, "cpu")
