"""BPTT Explorer: step through Backpropagation Through Time."""
