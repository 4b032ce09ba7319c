"""The write side: one module per aggregate: its state, `evolve`, pure `decide_*`, handlers."""
