"""The training panel: a worker thread running the core Trainer, controls, live plots and run history."""

from playground.gui.train.panel import TrainingPanel

__all__ = ["TrainingPanel"]
