"""neuroviz: see a neural network's forward and backward propagation, number by number."""

__version__ = "0.1.0"
