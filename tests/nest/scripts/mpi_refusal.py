"""A projection one rank refuses (a negative excitatory weight onto one cell), then a good
one and a run: every rank must refuse the first and go on (tests/nest/test_nest_mpi.py).
Each rank writes what it saw to ``<out>.<rank>.json``."""

import json
import sys

import pynn_uni.nest as sim

sim.setup(timestep=0.1)
pre = sim.Population(4, sim.IF_cond_exp(), label="pre")
post = sim.Population(4, sim.IF_cond_exp(), label="post")
rows = [(0, i, 0.01, 1.0) for i in range(4)]
rows[3] = (0, 3, -0.01, 1.0)  # onto post cell 3 only, which lives on one rank
seen = {"rank": sim.rank()}
try:
    sim.Projection(
        pre, post, sim.FromListConnector(rows, column_names=["weight", "delay"]),
        sim.StaticSynapse(), label="bad",
    )  # fmt: skip
except Exception as err:  # noqa: BLE001  (the class is what the test checks)
    seen["error"] = type(err).__name__
good = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
seen["size"], seen["held"] = good.size(), good.size(gather=False)
seen["owns_cell_3"] = bool(post[3].local)
sim.run(5.0)
seen["t"] = sim.get_current_time()
with open(f"{sys.argv[1]}.{sim.rank()}.json", "w") as f:
    json.dump(seen, f)
sim.end()
