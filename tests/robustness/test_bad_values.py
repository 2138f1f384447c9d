"""Hostile values, written by hand per API entry point, on every backend.

Each refused case asserts the error class (a :mod:`pynn_uni.errors` class, or the builtin
Python itself raises for a wrong call: ``TypeError``, ``IndexError``, ``KeyError``) and message
fragments naming the thing, then checks that the simulation is still usable in the same
process (``follow_up``).  Each accepted case checks that a legitimate edge value still runs.
Validation lives in the common layer, so the same input gives the same error everywhere; a
case that builds what a backend does not declare carries a ``model`` marker and is skipped by
that backend's capabilities.  A bad input that is not refused yet is a strict xfail naming
where the fix belongs.  Cases derived from the models' declarations are in test_catalogue.py.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.parameters import Sequence

NAN, INF = float("nan"), float("inf")
IPVE = errors.InvalidParameterValueError


def bad(case_id, call, error, *fragments, model=(), xfail=None, xfail_on=None):
    """One refused case: ``call(sim)`` raises ``error`` whose message holds ``fragments``.

    ``model``: the components it builds (skipped where undeclared); ``xfail``: where the
    missing fix belongs (a strict xfail on every backend); ``xfail_on``: ``(backends, where)``.
    """
    marks = [pytest.mark.model(*model)] if model else []
    if xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=f"issue 11: {xfail}"))
    if xfail_on:
        backends, where = xfail_on
        marks.append(pytest.mark.xfail_on(*backends, reason=f"issue 11: {where}"))
    return pytest.param(call, error, fragments, id=case_id, marks=marks)


def _pop(sim, label="bad", n=2, **params):
    return sim.Population(n, sim.IF_cond_exp(**params), label=label)


def _curr(sim, label="bad", n=2, **params):
    return sim.Population(n, sim.IF_curr_exp(**params), label=label)


def _src(sim, n=2, **params):
    return sim.Population(n, sim.SpikeSourceArray(**params), label="bad")


def _poisson(sim, **params):
    return sim.Population(2, sim.SpikeSourcePoisson(**params), label="bad")


def _stdp(sim, **params):
    return sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=params.pop("weight", 0.01),
        **params,
    )


def _prj(sim, connector=None, synapse=None, label="prj", receptor_type="excitatory", post=None):
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = _pop(sim, label="post") if post is None else post
    connector = sim.OneToOneConnector() if connector is None else connector
    synapse = sim.StaticSynapse(weight=0.01) if synapse is None else synapse
    return sim.Projection(
        pre, post, connector, synapse, receptor_type=receptor_type, label=label
    )  # fmt: skip


def _ran(sim):
    """A recorded population after a short run."""
    pop = _pop(sim)
    pop.record("spikes")
    sim.run(2.0)
    return pop


def _twice(first, second):
    first()
    second()


# -- refused -----------------------------------------------------------------------------------
PROJECTIONS = "common/projections.py"
CONTROL = "common/control.py"
ELECTRODES = "common/models/electrodes.py"
VALUE_ERROR = "raise InvalidParameterValueError (a ValueError), not a plain ValueError"

REFUSED = [
    # -- setup() arguments ----------------------------------------------------------------------
    bad("setup(timestep=None)", lambda s: s.setup(timestep=None), IPVE,
        "setup()", "timestep", "None"),
    bad("setup(timestep=nan)", lambda s: s.setup(timestep=NAN), IPVE,
        "setup()", "timestep", "nan"),
    bad("setup(timestep=-0.1)", lambda s: s.setup(timestep=-0.1), IPVE,
        "setup()", "timestep", "-0.1"),
    bad("setup(timestep=0)", lambda s: s.setup(timestep=0.0), IPVE, "timestep", "> 0.0", "0.0"),
    bad("setup(timestep=inf)", lambda s: s.setup(timestep=INF), IPVE, "timestep", "inf"),
    bad("setup(timestep='0.1')", lambda s: s.setup(timestep="0.1"), IPVE, "timestep", "'0.1'"),
    bad("setup(timestep=True)", lambda s: s.setup(timestep=True), IPVE, "timestep", "True"),
    bad("setup(timestep=[0.1])", lambda s: s.setup(timestep=[0.1]), IPVE, "timestep", "[0.1]"),
    bad("setup(min_delay=nan)", lambda s: s.setup(min_delay=NAN), IPVE,
        "setup()", "min_delay", "nan"),
    bad("setup(min_delay=-1)", lambda s: s.setup(min_delay=-1.0), IPVE, "min_delay", "-1.0"),
    bad("setup(min_delay='x')", lambda s: s.setup(min_delay="x"), IPVE, "min_delay", "'x'"),
    bad("setup(min_delay=None)", lambda s: s.setup(min_delay=None), IPVE, "min_delay", "None"),
    bad("setup(min_delay=inf)", lambda s: s.setup(min_delay=INF), IPVE, "min_delay", "inf"),
    bad("setup(min_delay<timestep)", lambda s: s.setup(timestep=0.1, min_delay=0.05), IPVE,
        "min_delay", "0.05", "timestep"),
    bad("setup(max_delay<min_delay)", lambda s: s.setup(min_delay=1.0, max_delay=0.5), IPVE,
        "max_delay", "0.5"),
    bad("setup(max_delay=nan)", lambda s: s.setup(max_delay=NAN), IPVE, "max_delay", "nan"),
    bad("setup(max_delay=-1)", lambda s: s.setup(max_delay=-1.0), IPVE, "max_delay", "-1.0"),
    bad("setup(max_delay='x')", lambda s: s.setup(max_delay="x"), IPVE, "max_delay", "'x'"),
    bad("setup(rng_seed='abc')", lambda s: s.setup(rng_seed="abc"), IPVE,
        "setup()", "rng_seed", "'abc'"),
    bad("setup(rng_seed=1.5)", lambda s: s.setup(rng_seed=1.5), IPVE,
        "setup()", "rng_seed", "1.5"),
    bad("setup(rng_seed=-1)", lambda s: s.setup(rng_seed=-1), IPVE, "rng_seed", "-1"),
    bad("setup(rng_seed=True)", lambda s: s.setup(rng_seed=True), IPVE, "rng_seed", "True"),
    bad("setup(rng_seed=[1])", lambda s: s.setup(rng_seed=[1]), IPVE, "rng_seed", "[1]"),
    bad("setup(rng_seed=None)", lambda s: s.setup(rng_seed=None), IPVE, "rng_seed", "None"),
    bad("setup(rng_seed=2**70)", lambda s: s.setup(rng_seed=2**70), IPVE, "rng_seed"),
    bad("setup(threads=-1)", lambda s: s.setup(threads=-1), IPVE, "setup()", "threads", "-1"),
    bad("setup(threads=0)", lambda s: s.setup(threads=0), IPVE, "threads", ">= 1", "0"),
    bad("setup(threads='2')", lambda s: s.setup(threads="2"), IPVE, "threads", "'2'"),
    bad("setup(threads=1.5)", lambda s: s.setup(threads=1.5), IPVE, "threads", "1.5"),
    bad("setup(3-positional)", lambda s: s.setup(0.1, 0.1, 10.0), TypeError, "positional"),
    bad("setup(unknown-keyword)", lambda s: s.setup(timestep=0.1, bogus_option=1), TypeError,
        "bogus_option"),
    # -- cell types and their parameters (constraints of every model: test_catalogue.py) --------
    bad("tau_m=None", lambda s: s.IF_cond_exp(tau_m=None), IPVE, "IF_cond_exp", "tau_m", "None"),
    bad("v_thresh=nan", lambda s: s.IF_cond_exp(v_thresh=NAN), IPVE,
        "v_thresh", "nan", "finite"),
    bad("v_thresh=inf", lambda s: s.IF_cond_exp(v_thresh=INF), IPVE, "v_thresh", "inf"),
    bad("cm=-inf", lambda s: s.IF_cond_exp(cm=-INF), IPVE, "cm", "-inf"),
    bad("tau_m=nan-in-array", lambda s: s.IF_cond_exp(tau_m=np.array([10.0, NAN])), IPVE,
        "tau_m", "nan"),
    bad("tau_m='10'", lambda s: s.IF_cond_exp(tau_m="10"), IPVE, "IF_cond_exp", "tau_m", "'10'"),
    bad("tau_m=complex", lambda s: s.IF_cond_exp(tau_m=1 + 2j), IPVE, "tau_m", "(1+2j)"),
    bad("tau_m=dict", lambda s: s.IF_cond_exp(tau_m={"a": 1}), IPVE, "tau_m", "dict"),
    bad("tau_m=object", lambda s: s.IF_cond_exp(tau_m=object()), IPVE, "tau_m", "object"),
    bad("cell-unknown-parameter", lambda s: s.IF_cond_exp(bogus=1.0),
        errors.NonExistentParameterError, "IF_cond_exp", "'bogus'", "tau_m"),
    bad("cell-positional", lambda s: s.IF_cond_exp(1.0), TypeError, "IF_cond_exp", "keyword"),
    bad("tau_m=function-negative", lambda s: _pop(s, tau_m=lambda i: -1.0 * (i + 1)), IPVE,
        "'bad'", "tau_m", "> 0", "-1.0"),
    bad("tau_m=RandomDistribution-negative",
        lambda s: _pop(s, tau_m=s.RandomDistribution("uniform", (-2.0, -1.0))), IPVE,
        "'bad'", "tau_m", "> 0"),
    bad("v_reset>v_thresh", lambda s: _pop(s, v_reset=-40.0), IPVE,
        "'bad'", "v_reset", "threshold", "-40.0"),
    bad("v_reset==v_thresh", lambda s: _pop(s, v_reset=-55.0, v_thresh=-55.0), IPVE,
        "v_reset", "<", "v_thresh"),
    bad("pop-per-cell-v_reset", lambda s: _pop(s, v_reset=np.array([-70.0, -45.0])), IPVE,
        "'bad'", "v_reset", "-45.0"),
    bad("pop-celltype-string", lambda s: s.Population(2, "IF_cond_exp"), TypeError,
        "IF_cond_exp", "cell type"),
    bad("pop-legacy-cellparams", lambda s: s.Population(2, s.IF_cond_exp,
                                                        cellparams={"tau_m": -1.0}),
        IPVE, "tau_m", "-1.0"),
    bad("pop-initial_values-nan", lambda s: s.Population(2, s.IF_cond_exp(),
                                                         initial_values={"v": NAN}),
        IPVE, "'v'", "nan"),
    bad("pop-initial_values-unknown", lambda s: s.Population(2, s.IF_cond_exp(),
                                                             initial_values={"bogus": 1.0}),
        errors.NonExistentParameterError, "'bogus'", "initial values"),
    # -- Population.set / get / initialize, views, IDs -----------------------------------------
    bad("pop-set-nan", lambda s: _pop(s).set(v_thresh=NAN), IPVE, "'bad'", "v_thresh", "nan"),
    bad("pop-set-None", lambda s: _pop(s).set(tau_m=None), IPVE, "tau_m", "None"),
    bad("pop-set-v_reset", lambda s: _pop(s).set(v_reset=-40.0), IPVE,
        "'bad'", "set(v_reset)", "v_reset", "v_thresh"),
    bad("pop-view-set-v_thresh", lambda s: _pop(s, n=4)[1:3].set(v_thresh=-70.0), IPVE,
        "'bad'", "v_reset", "-70.0"),
    bad("pop-set-unknown", lambda s: _pop(s).set(bogus=1.0), errors.NonExistentParameterError,
        "IF_cond_exp", "'bogus'"),
    bad("pop-set-too-many-values", lambda s: _pop(s).set(tau_m=np.array([10.0, 11.0, 12.0])),
        errors.InvalidDimensionsError, "tau_m", "(3,)", "(2,)"),
    bad("pop-set-string", lambda s: _pop(s).set(tau_m="x"), IPVE, "'bad'", "tau_m", "'x'"),
    bad("pop-set-list-negative", lambda s: _pop(s).set(tau_m=[10.0, -1.0]), IPVE,
        "'bad'", "tau_m", "-1.0"),
    bad("pop-get-unknown", lambda s: _pop(s).get("bogus"), errors.NonExistentParameterError,
        "'bogus'"),
    bad("pop-get-state-variable", lambda s: _pop(s).get("v"), errors.NonExistentParameterError,
        "'v'", "tau_m"),
    bad("pop-get-one-unknown", lambda s: _pop(s).get(["tau_m", "bogus"]),
        errors.NonExistentParameterError, "'bogus'"),
    bad("pop-get(None)", lambda s: _pop(s).get(None), TypeError, "get()", "None"),
    bad("pop-initialize-nan", lambda s: _pop(s).initialize(v=NAN), IPVE, "'bad'", "'v'", "nan"),
    bad("pop-initialize-inf-array", lambda s: _pop(s).initialize(v=np.array([-65.0, INF])),
        IPVE, "'bad'", "'v'", "inf"),
    bad("pop-initialize-None", lambda s: _pop(s).initialize(v=None), (IPVE, TypeError), "v"),
    bad("pop-initialize-unknown", lambda s: _pop(s).initialize(bogus=1.0),
        errors.NonExistentParameterError, "'bogus'", "initial values"),
    bad("pop-initialize-too-many-values", lambda s: _pop(s).initialize(v=np.ones(3) * -65.0),
        errors.InvalidDimensionsError, "'v'", "(3,)"),
    bad("pop-initialize-unknown-name-expression", lambda s: _pop(s).initialize(v="x"), IPVE,
        "'v'", "'x'"),
    bad("pop-spikes-set-unsorted",
        lambda s: s.Population(1, s.SpikeSourceArray(), label="bad").set(spike_times=[3.0, 2.0]),
        IPVE, "spike_times", "3.0 before 2.0"),
    bad("id-set-unknown", lambda s: _pop(s)[0].set_parameters(bogus=1.0),
        errors.NonExistentParameterError, "'bogus'"),
    bad("id-set-nan", lambda s: _pop(s)[0].set_parameters(tau_m=NAN), IPVE,
        "'bad'", "tau_m", "nan"),
    bad("id-attribute-negative", lambda s: setattr(_pop(s)[0], "tau_m", -5.0), IPVE,
        "'bad'", "tau_m", "-5.0"),
    bad("view-set-too-many-values", lambda s: _pop(s, n=4)[0:2].set(tau_m=np.ones(3) * 10.0),
        errors.InvalidDimensionsError, "tau_m", "(3,)"),
    bad("view-record-unknown", lambda s: _pop(s, n=4)[0:2].record("bogus"),
        errors.RecordingError, "'bogus'"),
    bad("view-initialize-nan", lambda s: _pop(s, n=4)[0:2].initialize(v=NAN), IPVE,
        "'bad'", "'v'", "nan"),
    # -- assemblies ----------------------------------------------------------------------------
    bad("assembly-of-int", lambda s: s.Assembly(5), TypeError, "Assembly", "int"),
    bad("assembly-of-string", lambda s: s.Assembly(_pop(s), "x"), TypeError, "Assembly", "str"),
    bad("assembly-plus-int", lambda s: (_pop(s) + _pop(s, label="b")) + 5, TypeError, "int"),
    bad("assembly-unknown-population",
        lambda s: (_pop(s) + _pop(s, label="b")).get_population("bogus"), KeyError, "'bogus'"),
    bad("assembly-set-unknown", lambda s: (_pop(s) + _pop(s, label="b")).set(bogus=1.0),
        errors.NonExistentParameterError, "'bogus'"),
    bad("assembly-set-zero-tau_m", lambda s: (_pop(s) + _pop(s, label="b")).set(tau_m=0.0),
        IPVE, "'bad'", "tau_m", "> 0"),
    bad("assembly-record-unknown", lambda s: (_pop(s) + _pop(s, label="b")).record("bogus"),
        errors.RecordingError, "'bogus'"),
    bad("assembly-initialize-nan", lambda s: (_pop(s) + _pop(s, label="b")).initialize(v=NAN),
        IPVE, "'v'", "nan"),
    bad("assembly-get-unknown", lambda s: (_pop(s) + _pop(s, label="b")).get("bogus"),
        errors.NonExistentParameterError, "'bogus'"),
    # -- record(), get_data(), write_data() ----------------------------------------------------
    bad("record-unknown", lambda s: _pop(s).record("bogus"), errors.RecordingError,
        "IF_cond_exp", "'bogus'", "recordable"),
    bad("record-int-variable", lambda s: _pop(s).record(["spikes", 5]), errors.RecordingError,
        "5"),
    bad("record-v-of-spike-source", lambda s: _src(s, spike_times=[1.0]).record("v"),
        errors.RecordingError, "SpikeSourceArray", "'v'"),
    bad("record-sampling_interval=0", lambda s: _pop(s).record("v", sampling_interval=0.0),
        IPVE, "sampling_interval", "0.0"),
    bad("record-sampling_interval=-1", lambda s: _pop(s).record("v", sampling_interval=-1.0),
        IPVE, "sampling_interval", "-1.0"),
    bad("record-sampling_interval=nan", lambda s: _pop(s).record("v", sampling_interval=NAN),
        IPVE, "sampling_interval", "nan"),
    bad("record-sampling_interval=inf", lambda s: _pop(s).record("v", sampling_interval=INF),
        IPVE, "sampling_interval", "inf"),
    bad("record-sampling_interval='1'", lambda s: _pop(s).record("v", sampling_interval="1"),
        IPVE, "sampling_interval", "'1'"),
    bad("record-sampling_interval<timestep",
        lambda s: _pop(s).record("v", sampling_interval=0.05), IPVE,
        "sampling_interval", "0.05", "timestep"),
    bad("record-sampling_interval-off-grid",
        lambda s: _pop(s).record("v", sampling_interval=0.15), IPVE,
        "sampling_interval", "0.15"),
    bad("record-two-intervals",
        lambda s: (lambda p: _twice(lambda: p.record("v", sampling_interval=0.2),
                                    lambda: p.record("v", sampling_interval=0.3)))(_pop(s)),
        IPVE, "'bad'", "0.2"),
    bad("record-to_file-bad-extension", lambda s: _pop(s).record("spikes", to_file="x.xyz"),
        errors.DataFileError, "x.xyz", ".xyz"),
    bad("get_data-unknown", lambda s: _ran(s).get_data("bogus"), errors.RecordingError,
        "'bogus'"),
    bad("get_data-one-unknown", lambda s: _ran(s).get_data(["spikes", "bogus"]),
        errors.RecordingError, "'bogus'"),
    bad("get_data(5)", lambda s: _ran(s).get_data(5), TypeError, "get_data", "5"),
    bad("get_data(annotations=5)", lambda s: _ran(s).get_data(annotations=5), TypeError,
        "annotations"),
    bad("write_data(None)", lambda s: _ran(s).write_data(None), TypeError, "write_data",
        "None"),
    bad("write_data(5)", lambda s: _ran(s).write_data(5), TypeError, "write_data", "5"),
    bad("write_data-bad-extension", lambda s: _ran(s).write_data("x.xyz"),
        errors.DataFileError, "x.xyz", ".xyz"),
    bad("write_data-to-folder", lambda s: _ran(s).write_data("."), errors.DataFileError, "'.'"),
    bad("write_data-unknown-variable", lambda s: _ran(s).write_data("x.pkl", variables="bogus"),
        errors.RecordingError, "'bogus'"),
    bad("write_data-variables=5", lambda s: _ran(s).write_data("x.pkl", variables=5),
        TypeError, "variables"),
    # -- spike sources -------------------------------------------------------------------------
    bad("rate=nan", lambda s: s.SpikeSourcePoisson(rate=NAN), IPVE, "SpikeSourcePoisson", "rate"),
    bad("rate=None", lambda s: s.SpikeSourcePoisson(rate=None), IPVE, "rate", "None"),
    bad("rate=inf", lambda s: s.SpikeSourcePoisson(rate=INF), IPVE, "rate", "inf"),
    bad("rate='fast'", lambda s: s.SpikeSourcePoisson(rate="fast"), IPVE, "rate", "'fast'"),
    bad("rate-per-cell-negative", lambda s: _poisson(s, rate=np.array([1.0, -1.0])), IPVE,
        "rate", ">= 0", "-1.0"),
    bad("poisson-duration=nan", lambda s: s.SpikeSourcePoisson(duration=NAN), IPVE,
        "duration", "nan"),
    bad("poisson-start=nan", lambda s: s.SpikeSourcePoisson(start=NAN), IPVE, "start", "nan"),
    bad("poisson-set-rate-nan", lambda s: _poisson(s, rate=1.0).set(rate=NAN), IPVE,
        "'bad'", "set(rate)", "nan"),
    bad("poisson-set-rate-negative-after-run",
        lambda s: (lambda p: _twice(lambda: s.run(1.0), lambda: p.set(rate=-5.0)))(
            _poisson(s, rate=1.0)),
        IPVE, "'bad'", "rate", "-5.0"),
    bad("spikes-unsorted", lambda s: _src(s, spike_times=[5.0, 1.0, 3.0]), IPVE,
        "'bad'", "spike_times", "sorted", "5.0"),
    bad("spikes-negative", lambda s: _src(s, spike_times=[-1.0, 3.0]), IPVE,
        "spike_times", ">= 0", "-1.0"),
    bad("spikes-inf", lambda s: _src(s, spike_times=[1.0, INF]), IPVE, "spike_times", "inf"),
    bad("spikes-minus-inf", lambda s: _src(s, spike_times=[-INF, 1.0]), IPVE,
        "spike_times", "-inf"),
    bad("spikes-nan", lambda s: _src(s, spike_times=[1.0, NAN]), IPVE, "spike_times", "nan"),
    bad("spikes-None", lambda s: _src(s, spike_times=None), IPVE, "spike_times", "None"),
    bad("spikes-[None]", lambda s: _src(s, spike_times=[None]), IPVE, "spike_times"),
    bad("spikes-string", lambda s: _src(s, spike_times="abc"), IPVE, "spike_times", "'abc'"),
    bad("spikes-list-of-strings", lambda s: _src(s, spike_times=["a"]), IPVE,
        "spike_times", "'a'"),
    bad("spikes-scalar", lambda s: _src(s, spike_times=5.0), IPVE, "spike_times", "5.0"),
    bad("spikes-complex", lambda s: _src(s, spike_times=[1 + 1j]), IPVE, "spike_times"),
    bad("spikes-numpy-unsorted", lambda s: _src(s, spike_times=np.array([3.0, 1.0])), IPVE,
        "spike_times", "3.0 before 1.0"),
    bad("spikes-per-cell-unsorted",
        lambda s: _src(s, spike_times=[Sequence([1.0, 2.0]), Sequence([4.0, 3.0])]), IPVE,
        "spike_times", "4.0 before 3.0"),
    bad("spikes-per-cell-negative",
        lambda s: _src(s, spike_times=[Sequence([1.0]), Sequence([-2.0])]), IPVE,
        "spike_times", "-2.0"),
    bad("spikes-nested-lists-unsorted", lambda s: _src(s, spike_times=[[2.0, 1.0], [3.0]]),
        IPVE, "spike_times", "2.0 before 1.0"),
    bad("spikes-nested-lists-nan", lambda s: _src(s, spike_times=[[1.0, NAN], [3.0]]), IPVE,
        "spike_times", "nan"),
    bad("spikes-trains-for-3-cells-on-2", lambda s: _src(s, spike_times=[Sequence([1.0])] * 3),
        errors.InvalidDimensionsError, "spike_times", "(3,)", "(2,)"),
    bad("spikes-function-unsorted",
        lambda s: _src(s, spike_times=lambda i: Sequence([3.0, 1.0])), IPVE,
        "'bad'", "spike_times", "3.0 before 1.0"),
    bad("spikes-function-negative", lambda s: _src(s, spike_times=lambda i: Sequence([-1.0])),
        IPVE, "'bad'", "spike_times", "-1.0"),
    bad("spikes-set-nan", lambda s: _src(s, spike_times=[1.0]).set(spike_times=[NAN]), IPVE,
        "'bad'", "set(spike_times)", "nan"),
    bad("spikes-id-set-unsorted",
        lambda s: _src(s, spike_times=[1.0])[0].set_parameters(spike_times=[3.0, 2.0]), IPVE,
        "'bad'", "spike_times", "3.0 before 2.0"),
    # -- synapse types and STDP ----------------------------------------------------------------
    bad("weight=nan", lambda s: s.StaticSynapse(weight=NAN), IPVE, "StaticSynapse", "weight",
        "nan"),
    bad("weight=inf", lambda s: s.StaticSynapse(weight=INF), IPVE, "weight", "inf"),
    bad("weight-list-with-nan", lambda s: s.StaticSynapse(weight=[NAN, 0.1]), IPVE,
        "weight", "nan"),
    bad("weight-unknown-name", lambda s: _prj(s, synapse=s.StaticSynapse(weight="abc")), IPVE,
        "'abc'"),
    bad("weight-function-nan", lambda s: _prj(s, synapse=s.StaticSynapse(weight=lambda d: d * NAN)),
        errors.InvalidWeightError, "'prj'", "finite"),
    bad("weight-RandomDistribution-negative",
        lambda s: _prj(s, synapse=s.StaticSynapse(
            weight=s.RandomDistribution("uniform", (-0.02, -0.01)))),
        errors.InvalidWeightError, "'prj'", "excitatory", ">= 0"),
    bad("weight-matrix-wrong-shape",
        lambda s: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight=np.ones((3, 3)) * 0.01)),
        errors.InvalidDimensionsError, "'prj'", "(3, 3)", "(2, 2)"),
    bad("synapse-unknown-parameter", lambda s: s.StaticSynapse(bogus=1.0),
        errors.NonExistentParameterError, "StaticSynapse", "'bogus'"),
    bad("delay=nan", lambda s: s.StaticSynapse(delay=NAN), IPVE, "delay", "nan"),
    bad("delay=inf", lambda s: s.StaticSynapse(delay=INF), IPVE, "delay", "inf"),
    bad("delay=0", lambda s: _prj(s, synapse=s.StaticSynapse(weight=0.01, delay=0.0)),
        errors.ConnectionError, "'prj'", "delay 0.0", "minimum delay"),
    bad("delay<min_delay", lambda s: _prj(s, synapse=s.StaticSynapse(weight=0.01, delay=0.05)),
        errors.ConnectionError, "'prj'", "0.05", "minimum delay"),
    bad("negative-weight-excitatory-conductance",
        lambda s: _prj(s, synapse=s.StaticSynapse(weight=-0.01)),
        errors.InvalidWeightError, "'prj'", "excitatory", "conductance-based", "-0.01"),
    bad("negative-weight-inhibitory-conductance",
        lambda s: _prj(s, synapse=s.StaticSynapse(weight=-0.01), receptor_type="inhibitory"),
        errors.InvalidWeightError, "'prj'", "inhibitory", "conductance-based", ">= 0"),
    bad("positive-weight-inhibitory-current",
        lambda s: _prj(s, synapse=s.StaticSynapse(weight=0.5), receptor_type="inhibitory",
                       post=_curr(s, label="post")),
        errors.InvalidWeightError, "'prj'", "inhibitory", "current-based", "<= 0",
        model=("IF_curr_exp",)),
    bad("negative-weight-excitatory-current",
        lambda s: _prj(s, synapse=s.StaticSynapse(weight=-0.5), post=_curr(s, label="post")),
        errors.InvalidWeightError, "'prj'", "excitatory", "current-based", ">= 0",
        model=("IF_curr_exp",)),
    bad("tm-U=nan", lambda s: s.TsodyksMarkramSynapse(U=NAN), IPVE, "TsodyksMarkramSynapse", "U"),
    bad("A_plus=nan", lambda s: s.SpikePairRule(A_plus=NAN), IPVE, "SpikePairRule", "A_plus",
        "nan"),
    bad("A_minus=inf", lambda s: s.SpikePairRule(A_minus=INF), IPVE, "A_minus", "inf"),
    bad("tau_plus=None", lambda s: s.SpikePairRule(tau_plus=None), IPVE,
        "SpikePairRule", "tau_plus", "None"),
    bad("timing-too-many-positional", lambda s: s.SpikePairRule(1, 2, 3, 4, 5), TypeError,
        "SpikePairRule", "at most 4"),
    bad("timing-unknown-parameter", lambda s: s.SpikePairRule(bogus=1.0),
        errors.NonExistentParameterError, "SpikePairRule", "'bogus'"),
    bad("vogels-eta=nan", lambda s: s.Vogels2011Rule(eta=NAN), IPVE, "Vogels2011Rule", "eta"),
    bad("w_max=nan", lambda s: s.AdditiveWeightDependence(w_max=NAN), IPVE,
        "AdditiveWeightDependence", "w_max", "nan"),
    bad("w_max=-inf", lambda s: s.MultiplicativeWeightDependence(w_max=-INF), IPVE,
        "w_max", "-inf"),
    bad("w_min=None", lambda s: s.AdditivePotentiationMultiplicativeDepression(w_min=None), IPVE,
        "w_min", "None"),
    bad("w_min>w_max", lambda s: s.AdditiveWeightDependence(w_min=0.5, w_max=0.1), IPVE,
        "w_min", "w_max", "0.5"),
    bad("stdp-w_min>w_max", lambda s: s.STDPMechanism(
        timing_dependence=s.SpikePairRule(),
        weight_dependence=s.MultiplicativeWeightDependence(w_min=2.0, w_max=1.0)),
        IPVE, "w_min", "w_max", "2.0"),
    bad("stdp-weight=nan", lambda s: _stdp(s, weight=NAN), IPVE, "STDPMechanism", "weight"),
    bad("stdp-timing-is-a-weight-dependence", lambda s: s.STDPMechanism(
        timing_dependence=s.AdditiveWeightDependence(),
        weight_dependence=s.AdditiveWeightDependence()),
        errors.InvalidModelError, "timing_dependence", "AdditiveWeightDependence"),
    bad("stdp-weight-dependence-is-a-timing-rule", lambda s: s.STDPMechanism(
        timing_dependence=s.SpikePairRule(), weight_dependence=s.SpikePairRule()),
        errors.InvalidModelError, "weight_dependence", "SpikePairRule"),
    bad("stdp-without-timing-dependence", lambda s: s.STDPMechanism(
        weight_dependence=s.AdditiveWeightDependence()),
        errors.InvalidModelError, "timing_dependence"),
    bad("stdp-without-weight-dependence", lambda s: s.STDPMechanism(
        timing_dependence=s.SpikePairRule()),
        errors.InvalidModelError, "weight_dependence"),
    bad("stdp-initial-weight-above-w_max",
        lambda s: _prj(s, synapse=_stdp(s, weight=0.5)), IPVE, "'prj'", "weight", "w_max",
        model=("STDPMechanism",)),
    # -- current sources -----------------------------------------------------------------------
    bad("dc-amplitude=nan", lambda s: s.DCSource(amplitude=NAN), IPVE,
        "DCSource", "amplitude", "nan"),
    bad("dc-amplitude=None", lambda s: s.DCSource(amplitude=None), IPVE,
        "DCSource", "amplitude", "None"),
    bad("dc-amplitude=inf", lambda s: s.DCSource(amplitude=INF), IPVE, "amplitude", "inf"),
    bad("dc-amplitude='1'", lambda s: s.DCSource(amplitude="1"), IPVE, "amplitude", "'1'"),
    bad("dc-start=inf", lambda s: s.DCSource(start=INF), IPVE, "DCSource", "start", "inf"),
    bad("dc-stop<start", lambda s: s.DCSource(amplitude=1.0, start=5.0, stop=2.0), IPVE,
        "DCSource", "stop", "start", "2.0"),
    bad("dc-unknown-parameter", lambda s: s.DCSource(bogus=1.0),
        errors.NonExistentParameterError, "DCSource", "'bogus'"),
    bad("dc-set-nan-later", lambda s: s.DCSource(amplitude=1.0).set_parameters(amplitude=NAN),
        IPVE, "DCSource", "amplitude", "nan"),
    bad("dc-attribute-nan", lambda s: setattr(s.DCSource(amplitude=1.0), "amplitude", NAN),
        IPVE, "DCSource", "amplitude", "nan"),
    bad("dc-set-stop<start-later",
        lambda s: s.DCSource(amplitude=0.1, start=1.0, stop=5.0).set_parameters(
            start=2.0, stop=0.5),
        IPVE, "DCSource", "stop", "0.5"),
    bad("dc-attribute-stop<start",
        lambda s: setattr(s.DCSource(amplitude=0.1, start=1.0, stop=5.0), "stop", 0.5),
        IPVE, "DCSource", "stop", "0.5"),
    bad("dc-set-unknown-later", lambda s: s.DCSource(amplitude=1.0).set_parameters(bogus=1.0),
        errors.NonExistentParameterError, "'bogus'"),
    bad("ac-frequency=nan", lambda s: s.ACSource(frequency=NAN), IPVE, "ACSource", "frequency"),
    bad("ac-amplitude=nan", lambda s: s.ACSource(amplitude=NAN), IPVE, "ACSource", "amplitude"),
    bad("ac-phase=inf", lambda s: s.ACSource(phase=INF), IPVE, "ACSource", "phase", "inf"),
    bad("ac-stop<start", lambda s: s.ACSource(start=10.0, stop=5.0), IPVE,
        "ACSource", "stop", "5.0"),
    bad("noisy-mean=nan", lambda s: s.NoisyCurrentSource(mean=NAN), IPVE,
        "NoisyCurrentSource", "mean"),
    bad("step-length-mismatch",
        lambda s: s.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.1]), IPVE,
        "StepCurrentSource", "1 amplitudes", "2 times"),
    bad("step-unsorted", lambda s: s.StepCurrentSource(times=[3.0, 1.0], amplitudes=[0.1, 0.2]),
        IPVE, "StepCurrentSource", "times", "[3.0, 1.0]"),
    bad("step-repeated-time",
        lambda s: s.StepCurrentSource(times=[1.0, 1.0], amplitudes=[0.1, 0.2]), IPVE,
        "StepCurrentSource", "increasing"),
    bad("step-negative-time",
        lambda s: s.StepCurrentSource(times=[-1.0, 2.0], amplitudes=[0.1, 0.2]), IPVE,
        "StepCurrentSource", "-1.0"),
    bad("step-times-None", lambda s: s.StepCurrentSource(times=None, amplitudes=[0.1]), IPVE,
        "StepCurrentSource", "times", "None"),
    bad("step-times-string", lambda s: s.StepCurrentSource(times="abc", amplitudes=[0.1]), IPVE,
        "times", "'abc'"),
    bad("step-times-nested",
        lambda s: s.StepCurrentSource(times=[[1.0], [2.0]], amplitudes=[0.1, 0.2]), IPVE,
        "StepCurrentSource", "times"),
    bad("step-set-unsorted-later",
        lambda s: s.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.1, 0.2]).set_parameters(
            times=[3.0, 1.0]),
        IPVE, "StepCurrentSource", "[3.0, 1.0]"),
    bad("step-amplitude-nan",
        lambda s: s.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.1, NAN]), IPVE,
        "StepCurrentSource", "amplitudes", "nan"),
    bad("step-amplitude-inf", lambda s: s.StepCurrentSource(times=[1.0], amplitudes=[INF]),
        IPVE, "StepCurrentSource", "amplitudes", "inf"),
    bad("step-time-nan",
        lambda s: s.StepCurrentSource(times=[1.0, NAN], amplitudes=[0.1, 0.2]), IPVE,
        "StepCurrentSource", "times", "nan"),
    bad("inject-into-spike-source",
        lambda s: s.DCSource(amplitude=1.0).inject_into(_src(s, spike_times=[1.0])),
        TypeError, "DCSource", "SpikeSourceArray", model=("DCSource",)),
    bad("inject_into(None)", lambda s: s.DCSource(amplitude=1.0).inject_into(None), TypeError,
        "inject_into", "None", model=("DCSource",)),
    bad("inject_into-list-of-ints", lambda s: s.DCSource(amplitude=1.0).inject_into([1, 2]),
        TypeError, "inject_into", "int", model=("DCSource",)),
    bad("pop-inject(5)", lambda s: _pop(s).inject(5), TypeError, "inject", "5",
        model=("DCSource",)),
    # -- projections ---------------------------------------------------------------------------
    bad("receptor_type-unknown", lambda s: _prj(s, receptor_type="bogus"), errors.ConnectionError,
        "'bogus'", "excitatory"),
    bad("receptor_type-int", lambda s: _prj(s, receptor_type=5), errors.ConnectionError,
        "receptor_type", "5"),
    bad("receptor_type-list", lambda s: _prj(s, receptor_type=["excitatory"]),
        errors.ConnectionError, "receptor_type", "['excitatory']"),
    bad("projection-onto-spike-source",
        lambda s: s.Projection(_pop(s), _src(s, spike_times=[1.0]), s.AllToAllConnector()),
        errors.ConnectionError, "SpikeSourceArray", "cannot receive"),
    bad("projection-pre-None", lambda s: s.Projection(None, _pop(s), s.AllToAllConnector()),
        TypeError, "Projection", "None"),
    bad("projection-pre-list", lambda s: s.Projection([1, 2], _pop(s), s.AllToAllConnector()),
        TypeError, "Projection", "list"),
    bad("projection-pre-ID", lambda s: s.Projection(_pop(s)[0], _pop(s), s.AllToAllConnector()),
        TypeError, "Projection", "ID"),
    bad("projection-connector-None", lambda s: s.Projection(_pop(s), _pop(s, label="b"), None),
        TypeError, "connector", "None"),
    bad("projection-connector-class",
        lambda s: s.Projection(_pop(s), _pop(s, label="b"), s.AllToAllConnector), TypeError,
        "connector", "AllToAllConnector"),
    bad("projection-synapse-class",
        lambda s: s.Projection(_pop(s), _pop(s, label="b"), s.AllToAllConnector(),
                               s.StaticSynapse),
        TypeError, "synapse_type", "StaticSynapse"),
    bad("projection-synapse-string",
        lambda s: s.Projection(_pop(s), _pop(s, label="b"), s.AllToAllConnector(),
                               "StaticSynapse"),
        TypeError, "synapse_type", "str"),
    bad("projection-synapse-is-a-cell-type",
        lambda s: s.Projection(_pop(s), _pop(s, label="b"), s.AllToAllConnector(),
                               s.IF_cond_exp()),
        TypeError, "synapse_type", "IF_cond_exp"),
    bad("weights-too-many",
        lambda s: _prj(s, s.OneToOneConnector(), s.StaticSynapse(weight=[0.1, 0.2, 0.3, 0.4, 0.5])),
        errors.InvalidDimensionsError, "'prj'", "'weight'", "5 values", "(2)"),
    bad("weights-too-few",
        lambda s: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight=[0.1, 0.2])),
        errors.InvalidDimensionsError, "'prj'", "weight", "2 values"),
    bad("delays-too-many",
        lambda s: _prj(s, s.OneToOneConnector(), s.StaticSynapse(delay=[0.1, 0.1, 0.1])),
        errors.InvalidDimensionsError, "'prj'", "'delay'", "3 values", "(2)"),
    bad("prj-set-weights-too-many", lambda s: _prj(s).set(weight=[0.1, 0.2, 0.3]),
        errors.InvalidDimensionsError, "'prj'", "weight", "3 values"),
    bad("prj-set-weights-too-few", lambda s: _prj(s).set(weight=[0.1]),
        errors.InvalidDimensionsError, "'prj'", "weight", "1 values"),
    bad("prj-set-weight-matrix-wrong-shape",
        lambda s: _prj(s, s.AllToAllConnector()).set(weight=np.ones((3, 3)) * 0.01),
        errors.InvalidDimensionsError, "'prj'", "(3, 3)"),
    bad("prj-set-weight-nan", lambda s: _prj(s).set(weight=NAN), errors.InvalidWeightError,
        "'prj'", "weight", "finite"),
    bad("prj-set-weights-None-list", lambda s: _prj(s).set(weight=[None, None]),
        errors.InvalidWeightError, "'prj'", "weight"),
    bad("prj-set-weight-negative", lambda s: _prj(s).set(weight=-0.01),
        errors.InvalidWeightError, "'prj'", "excitatory", "-0.01"),
    bad("prj-set-weight-wrong-sign-current",
        lambda s: _prj(s, synapse=s.StaticSynapse(weight=0.5), post=_curr(s, label="post")).set(
            weight=-0.5),
        errors.InvalidWeightError, "'prj'", "current-based", model=("IF_curr_exp",)),
    bad("prj-set-weight-unknown-name", lambda s: _prj(s).set(weight="abc"), IPVE, "'abc'"),
    bad("prj-set-weight-RandomDistribution-nan",
        lambda s: _prj(s).set(weight=s.RandomDistribution("normal", (NAN, 1.0))), IPVE,
        "normal", "NaN"),
    bad("prj-set-delay-inf", lambda s: _prj(s).set(delay=INF), errors.ConnectionError,
        "'prj'", "delay", "finite"),
    bad("prj-set-delay-negative", lambda s: _prj(s).set(delay=-1.0), errors.ConnectionError,
        "'prj'", "delay", "-1.0"),
    bad("prj-set-delay<min_delay", lambda s: _prj(s).set(delay=0.05), errors.ConnectionError,
        "'prj'", "0.05", "minimum delay"),
    bad("prj-set-delays-with-nan", lambda s: _prj(s).set(delay=[0.1, NAN]),
        errors.ConnectionError, "'prj'", "delays", "finite"),
    bad("prj-set-unknown", lambda s: _prj(s).set(bogus=1.0), errors.NonExistentParameterError,
        "StaticSynapse", "'bogus'"),
    bad("prj-set-U-on-static", lambda s: _prj(s).set(U=0.5), errors.NonExistentParameterError,
        "StaticSynapse", "'U'"),
    bad("prj-get-unknown", lambda s: _prj(s).get("bogus", format="list"),
        errors.NonExistentParameterError, "'bogus'"),
    bad("prj-get-unknown-array", lambda s: _prj(s).get("bogus", format="array"),
        errors.NonExistentParameterError, "'bogus'"),
    bad("prj-get-U-on-static", lambda s: _prj(s).get("U", format="list"),
        errors.NonExistentParameterError, "'U'"),
    bad("prj-get-format-unknown", lambda s: _prj(s).get("weight", format="bogus"), IPVE,
        "format", "'bogus'"),
    bad("prj-get-format-None", lambda s: _prj(s).get("weight", format=None), IPVE,
        "format", "None"),
    bad("prj-get(5)", lambda s: _prj(s).get(5, format="list"), TypeError, "5", "get"),
    bad("prj-get(None)", lambda s: _prj(s).get(None, format="list"), TypeError, "None", "get"),
    bad("prj-get-multiple_synapses-unknown",
        lambda s: _prj(s).get("weight", format="array", multiple_synapses="bogus"), IPVE,
        "multiple_synapses", "'bogus'"),
    bad("prj-save-unknown", lambda s: _prj(s).save("bogus", "w.txt"),
        errors.NonExistentParameterError, "'bogus'"),
    bad("prj-save-format-unknown", lambda s: _prj(s).save("weight", "w.txt", format="bogus"),
        IPVE, "format", "'bogus'"),
    bad("prj-getWeights-format-unknown", lambda s: _prj(s).getWeights(format="bogus"), IPVE,
        "format", "'bogus'"),
    bad("prj-index-out-of-range", lambda s: _prj(s)[10], IndexError, "10", "'prj'"),
    bad("prj-set-U-nan", lambda s: _prj(s, synapse=s.TsodyksMarkramSynapse(weight=0.01)).set(U=NAN),
        IPVE, "'prj'", "'U'", "nan", model=("TsodyksMarkramSynapse",)),
    bad("prj-set-U-above-1",
        lambda s: _prj(s, synapse=s.TsodyksMarkramSynapse(weight=0.01)).set(U=2.0),
        IPVE, "'prj'", "'U'", "2.0", model=("TsodyksMarkramSynapse",)),
    bad("prj-set-U-negative",
        lambda s: _prj(s, synapse=s.TsodyksMarkramSynapse(weight=0.01)).set(U=-0.1),
        IPVE, "'prj'", "'U'", "-0.1", model=("TsodyksMarkramSynapse",)),
    bad("prj-set-tau_rec-zero",
        lambda s: _prj(s, synapse=s.TsodyksMarkramSynapse(weight=0.01)).set(tau_rec=0.0),
        IPVE, "'prj'", "'tau_rec'", "> 0", model=("TsodyksMarkramSynapse",)),
    bad("prj-set-tm-unknown",
        lambda s: _prj(s, synapse=s.TsodyksMarkramSynapse(weight=0.01)).set(tau_plus=1.0),
        errors.NonExistentParameterError, "TsodyksMarkramSynapse", "'tau_plus'",
        model=("TsodyksMarkramSynapse",)),
    bad("prj-set-w_max-nan", lambda s: _prj(s, synapse=_stdp(s)).set(w_max=NAN), IPVE,
        "'prj'", "'w_max'", "nan", model=("STDPMechanism",)),
    bad("prj-set-A_plus-inf", lambda s: _prj(s, synapse=_stdp(s)).set(A_plus=INF), IPVE,
        "'prj'", "'A_plus'", "inf", model=("STDPMechanism",)),
    bad("prj-set-w_min>w_max", lambda s: _prj(s, synapse=_stdp(s)).set(w_min=1.0), IPVE,
        "'prj'", "w_min", "w_max", model=("STDPMechanism",)),
    bad("prj-set-tau_plus-zero", lambda s: _prj(s, synapse=_stdp(s)).set(tau_plus=0.0), IPVE,
        "'prj'", "'tau_plus'", "> 0", model=("STDPMechanism",)),
    bad("fromlist-weight-nan",
        lambda s: _prj(s, s.FromListConnector([(0, 0, NAN, 1.0)], column_names=["weight", "delay"]),
                       s.StaticSynapse()),
        errors.InvalidWeightError, "'prj'", "weight", "finite"),
    bad("fromlist-delay-nan",
        lambda s: _prj(s, s.FromListConnector([(0, 0, 0.01, NAN)],
                                              column_names=["weight", "delay"]),
                       s.StaticSynapse()),
        errors.ConnectionError, "'prj'", "delay", "finite"),
    # -- random distributions ------------------------------------------------------------------
    bad("distribution-unknown", lambda s: s.RandomDistribution("bogus", (1.0,)),
        errors.NonExistentParameterError, "'bogus'", "uniform"),
    bad("distribution-wrong-parameter-count", lambda s: s.RandomDistribution("uniform", (1.0,)),
        IPVE, "uniform", "2 parameters"),
    bad("distribution-low>high",
        lambda s: _pop(s, tau_m=s.RandomDistribution("uniform", (20.0, 10.0))), IPVE,
        "uniform", "low=20.0", "high=10.0"),
    bad("distribution-negative-sigma",
        lambda s: _pop(s, v_rest=s.RandomDistribution("normal", (-65.0, -1.0))), IPVE,
        "normal", "sigma=-1.0"),
    bad("distribution-nan-mean",
        lambda s: _pop(s, v_rest=s.RandomDistribution("normal", (NAN, 1.0))), IPVE,
        "normal", "NaN"),
    # -- run(), run_until(), reset() -----------------------------------------------------------
    bad("run(nan)", lambda s: s.run(NAN), IPVE, "run()", "simtime", "nan"),
    bad("run(inf)", lambda s: s.run(INF), IPVE, "run()", "simtime", "inf"),
    bad("run(-inf)", lambda s: s.run(-INF), IPVE, "run()", "simtime", "-inf"),
    bad("run(None)", lambda s: s.run(None), IPVE, "run()", "simtime", "None"),
    bad("run(-1)", lambda s: s.run(-1.0), IPVE, "run()", "-1.0"),
    bad("run('10')", lambda s: s.run("10"), IPVE, "run()", "'10'"),
    bad("run(True)", lambda s: s.run(True), IPVE, "run()", "True"),
    bad("run([10])", lambda s: s.run([10.0]), IPVE, "run()", "[10.0]"),
    bad("run(complex)", lambda s: s.run(1 + 1j), IPVE, "run()", "(1+1j)"),
    bad("run(float32-nan)", lambda s: s.run(np.float32("nan")), IPVE, "run()", "nan"),
    bad("run_for(nan)", lambda s: s.run_for(NAN), IPVE, "simtime", "nan"),
    bad("run_until(nan)", lambda s: s.run_until(NAN), IPVE, "run_until()", "tstop", "nan"),
    bad("run_until(None)", lambda s: s.run_until(None), IPVE, "run_until()", "None"),
    bad("run_until(-1)", lambda s: s.run_until(-1.0), IPVE, "run_until()", "-1.0"),
    bad("run_until('5')", lambda s: s.run_until("5"), IPVE, "run_until()", "'5'"),
    bad("run_until-the-past", lambda s: _twice(lambda: s.run(5.0), lambda: s.run_until(2.0)),
        IPVE, "run_until(2.0)", "5.0"),
    bad("run-callback-returns-nan", lambda s: s.run(5.0, callbacks=[lambda t: NAN]), IPVE,
        "callback", "nan"),
    bad("run-callback-returns-the-past", lambda s: s.run(5.0, callbacks=[lambda t: t - 1.0]),
        IPVE, "callback", "-1.0"),
    bad("run-callbacks-not-a-list", lambda s: s.run(5.0, callbacks=5), TypeError,
        "callbacks", "5"),
    bad("run-callback-not-callable", lambda s: s.run(5.0, callbacks=[5]), TypeError,
        "callback", "5"),
    bad("reset-unknown-keyword", lambda s: s.reset(bogus=1), TypeError, "bogus"),
    # -- procedural API ------------------------------------------------------------------------
    bad("procedural-set-nan", lambda s: s.set(_pop(s), tau_m=NAN), IPVE, "'bad'", "tau_m", "nan"),
    bad("procedural-connect-weight-nan", lambda s: s.connect(_src(s, spike_times=[1.0]),
                                                             _pop(s), weight=NAN),
        IPVE, "weight", "nan"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, fragments", REFUSED)
def test_refused(assert_refused, sim, follow_up, monkeypatch, tmp_path, call, error, fragments):
    monkeypatch.chdir(tmp_path)  # relative file names land in a fresh folder
    assert_refused(call, error, fragments, sim)
    follow_up(sim)


AFTER_END = {
    "run": lambda s: s.run(1.0),
    "run_until": lambda s: s.run_until(1.0),
    "reset": lambda s: s.reset(),
    "get_current_time": lambda s: s.get_current_time(),
    "Population": lambda s: s.Population(1, s.SpikeSourceArray(spike_times=[1.0])),
}


@pytest.mark.parametrize("use", sorted(AFTER_END))
def test_refused_after_end(sim, setup_args, follow_up, use):
    """After end() there is no simulation to run, reset or build in; a new setup() works."""
    sim.end()
    with pytest.raises(errors.SimulationNotSetUpError, match=r"setup\(\)"):
        AFTER_END[use](sim)
    sim.setup(**setup_args)
    follow_up(sim)


def test_end_twice_then_setup(sim, setup_args, follow_up):
    sim.end()
    sim.end()  # harmless, as in PyNN
    sim.setup(**setup_args)
    follow_up(sim)


def test_refusals_are_value_errors(sim, follow_up):
    """The named classes are also the builtin that user code already catches."""
    with pytest.raises(ValueError):
        sim.IF_cond_exp(v_thresh=NAN)
    follow_up(sim)


def test_case_ids_are_distinct():
    ids = [case.id for case in REFUSED] + [case.id for case in ACCEPTED]
    assert len(ids) == len(set(ids))


# -- accepted: legitimate edge values still run ---------------------------------------------------
def _weight_none(s):
    prj = _prj(s, s.OneToOneConnector(), s.StaticSynapse(weight=None))
    assert prj.get("weight", format="array")[np.eye(2, dtype=bool)] == pytest.approx([0.0, 0.0])


def _spike_at_zero(s):
    src = s.Population(1, s.SpikeSourceArray(spike_times=[0.0, 2.0]), label="zero")
    src.record("spikes")
    s.run(3.0)
    (train,) = src.get_data().segments[-1].spiketrains
    # t = 0 is accepted (PyNN's NEURON backend delivers it; NEST drops it with a warning)
    assert 2.0 in np.round(np.asarray(train.magnitude), 1)


def _per_cell_ok(s):
    p = _pop(s, v_reset=np.array([-70.0, -60.0]), v_thresh=np.array([-50.0, -55.0]))
    p.set(v_thresh=-52.0)
    assert p.get("v_thresh") == pytest.approx(-52.0)


def _initialize_finite(s):
    p = _pop(s)
    p.initialize(v=np.array([-70.0, -60.0]))
    p[0:1].initialize(v=-61.0)


def _empty_spike_trains(s):
    for times in ([Sequence([]), Sequence([1.0])], [Sequence([1.0]), Sequence([])]):
        _src(s, spike_times=times)


def _spike_duplicates(s):
    _src(s, spike_times=[1.0, 1.0, 2.0])


def _nested_spike_lists(s):
    """Plain nested lists and a 2-D array give one train per cell."""
    for times in ([[1.0, 2.0], [3.0]], np.array([[1.0, 2.0], [3.0, 4.0]])):
        src = _src(s, spike_times=times)
        src.record("spikes")
    s.run(5.0)
    trains = src.get_data().segments[-1].spiketrains
    assert [len(t) for t in trains] == [2, 2]


def _integer_spike_times(s):
    _src(s, spike_times=[1, 2])


def _spikes_after_the_run(s):
    src = _src(s, spike_times=[1.0, 100.0])
    src.record("spikes")
    s.run(5.0)
    assert [len(t) for t in src.get_data().segments[-1].spiketrains] == [1, 1]


def _prj_set_weight_none(s):
    prj = _prj(s, s.OneToOneConnector(), s.StaticSynapse(weight=0.01))
    prj.set(weight=None)  # the synapse type's default, as at construction
    assert [w for _, _, w in prj.get("weight", format="list")] == pytest.approx([0.0, 0.0])


def _run_zero(s):
    assert s.run(0.0) == pytest.approx(0.0)


def _run_until_now(s):
    s.run(5.0)
    assert s.run_until(5.0) == pytest.approx(5.0)


def _stdp_ok(s):
    s.STDPMechanism(
        timing_dependence=s.SpikePairRule(A_plus=0.01, A_minus=0.012),
        weight_dependence=s.AdditiveWeightDependence(w_min=0.0, w_max=0.0),
    )


def _dc_open_ended(s):
    s.DCSource(amplitude=0.5, start=1.0, stop=INF)


def _record_none(s):
    p = _pop(s)
    p.record("spikes")
    p.record(None)  # PyNN: stop recording
    s.run(2.0)


def _record_to_new_folder(s):
    # folders are made when written (at end(), after the test's chdir is undone: absolute)
    _pop(s).record("spikes", to_file=os.path.abspath("new/folder/x.pkl"))


def _delay_none(s):
    prj = _prj(s, synapse=s.StaticSynapse(weight=0.01, delay=None))
    assert [d for _, _, d in prj.get("delay", format="list")] == pytest.approx([0.1, 0.1])


def _inhibitory_positive_conductance(s):
    _prj(s, synapse=s.StaticSynapse(weight=0.01), receptor_type="inhibitory")


def _inhibitory_negative_current(s):
    _prj(s, synapse=s.StaticSynapse(weight=-0.5), receptor_type="inhibitory",
         post=_curr(s, label="post"))  # fmt: skip


def _receptor_none(s):
    _prj(s, receptor_type=None)  # the default receptor


def _legacy_cellparams(s):
    p = s.Population(2, s.IF_cond_exp, cellparams={"tau_m": 15.0}, label="legacy")
    assert p.get("tau_m") == pytest.approx(15.0)


def _initial_values_argument(s):
    s.Population(2, s.IF_cond_exp(), initial_values={"v": np.array([-70.0, -60.0])})


def _counts_before_run(s):
    p = _pop(s)
    p.record("spikes")
    assert sum(p.get_spike_counts().values()) == 0
    assert len(p.get_data().segments) >= 1


def _empty_set(s):
    _pop(s).set()
    _prj(s).set()


def _zero_rate(s):
    _poisson(s, rate=0.0)


def _empty_step_source(s):
    s.StepCurrentSource(times=[], amplitudes=[])


def _degenerate_distribution(s):
    p = _pop(s, tau_m=s.RandomDistribution("uniform", (15.0, 15.0)))
    assert p.get("tau_m") == pytest.approx(15.0)


def _assembly_of_one(s):
    a = s.Assembly(_pop(s))
    a.set(tau_m=15.0)
    a.record("spikes")


def _reset_before_run(s):
    _pop(s)
    s.reset()


ACCEPTED = [
    pytest.param(_weight_none, id="weight=None-is-default"),
    pytest.param(_spike_at_zero, id="spike-at-zero"),
    pytest.param(_per_cell_ok, id="per-cell-v_reset<v_thresh"),
    pytest.param(_initialize_finite, id="initialize-finite-array"),
    pytest.param(_run_zero, id="run(0)"),
    pytest.param(_run_until_now, id="run_until-the-current-time"),
    pytest.param(_prj_set_weight_none, id="prj-set-weight=None"),
    pytest.param(_empty_spike_trains, id="empty-spike-trains"),
    pytest.param(_spike_duplicates, id="equal-spike-times"),
    pytest.param(_nested_spike_lists, id="nested-spike-lists-per-cell"),
    pytest.param(_integer_spike_times, id="integer-spike-times"),
    pytest.param(_spikes_after_the_run, id="spike-times-after-the-run"),
    pytest.param(_stdp_ok, id="stdp-w_min==w_max"),  # construction: every backend has the class
    pytest.param(_dc_open_ended, id="dc-stop=inf"),
    pytest.param(_record_none, id="record(None)-stops"),
    pytest.param(_record_to_new_folder, id="record-to_file-in-new-folder"),
    pytest.param(_delay_none, id="delay=None-is-min_delay"),
    pytest.param(_inhibitory_positive_conductance, id="positive-inhibitory-conductance"),
    pytest.param(
        _inhibitory_negative_current,
        id="negative-inhibitory-current",
        marks=pytest.mark.model("IF_curr_exp"),
    ),
    pytest.param(_receptor_none, id="receptor_type=None"),
    pytest.param(_legacy_cellparams, id="legacy-class-and-cellparams"),
    pytest.param(_initial_values_argument, id="initial_values-argument"),
    pytest.param(_counts_before_run, id="spike-counts-before-run"),
    pytest.param(_empty_set, id="set()-without-values"),
    pytest.param(_zero_rate, id="poisson-rate=0"),
    pytest.param(_empty_step_source, id="step-source-without-steps"),
    pytest.param(_degenerate_distribution, id="uniform(low==high)"),
    pytest.param(_assembly_of_one, id="assembly-of-one"),
    pytest.param(_reset_before_run, id="reset-before-run"),
]


@pytest.mark.parametrize("call", ACCEPTED)
def test_accepted(sim, follow_up, monkeypatch, tmp_path, call):
    monkeypatch.chdir(tmp_path)
    call(sim)
    follow_up(sim)


@pytest.mark.parametrize("seed", [np.int64(42), np.uint32(7), 0, 2**32 - 1])
def test_setup_seed_accepted(sim, setup_args, follow_up, seed):
    sim.setup(rng_seed=seed, **setup_args)
    follow_up(sim)
