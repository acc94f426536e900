"""Neural Network Playground: build networks by clicking, watch them train, draw digits for them."""

__version__ = "0.1.0"
