"""The drawing pad: a canvas, the 28x28 input the network sees, and its live prediction."""
