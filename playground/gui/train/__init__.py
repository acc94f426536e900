"""The training panel: a worker thread running the core Trainer, controls, live plots and run history."""
