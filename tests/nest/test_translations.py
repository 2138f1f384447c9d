"""The NEST translation tables against the real NEST 3.10.

Expected numbers are typed here from PyNN 0.13's documented defaults (reference §9-§10) and
from theory (LIF first-spike time, gamma-process statistics, Vogels et al. 2011), never
taken from the tables under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

nest = pytest.importorskip("nest")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pynn_uni import errors  # noqa: E402
from pynn_uni.common import models  # noqa: E402
from pynn_uni.nest import translations as tr  # noqa: E402

nest.verbosity = nest.VerbosityLevel.ERROR

# --- PyNN 0.13 standard defaults (parameters, initial values), typed from the reference --------

_IF_CURR = dict(
    v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, i_offset=0.0, v_reset=-65.0, v_thresh=-50.0
)
_IF_COND = dict(_IF_CURR, e_rev_E=0.0, e_rev_I=-70.0, tau_syn_E=5.0, tau_syn_I=5.0)
_EIF = dict(
    cm=0.281,
    tau_refrac=0.1,
    v_spike=-40.0,
    v_reset=-70.6,
    v_rest=-70.6,
    tau_m=9.3667,
    i_offset=0.0,
    a=4.0,
    b=0.0805,
    delta_T=2.0,
    tau_w=144.0,
    v_thresh=-50.4,
    e_rev_E=0.0,
    tau_syn_E=5.0,
    e_rev_I=-80.0,
    tau_syn_I=5.0,
)
_COND_INIT = dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0)
_SOURCE = dict(start=0.0, duration=1e10)

DEFAULTS: dict[str, tuple[dict, dict]] = {
    "IF_curr_alpha": (
        dict(_IF_CURR, tau_syn_E=0.5, tau_syn_I=0.5),
        dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    ),
    "IF_curr_exp": (
        dict(_IF_CURR, tau_syn_E=5.0, tau_syn_I=5.0),
        dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    ),
    "IF_curr_delta": (dict(_IF_CURR), dict(v=-65.0)),
    "IF_cond_alpha": (dict(_IF_COND, tau_syn_E=0.3, tau_syn_I=0.5), _COND_INIT),
    "IF_cond_exp": (dict(_IF_COND), _COND_INIT),
    "IF_cond_exp_gsfa_grr": (
        dict(
            _IF_COND,
            tau_sfa=100.0,
            e_rev_sfa=-75.0,
            q_sfa=15.0,
            tau_rr=2.0,
            e_rev_rr=-75.0,
            q_rr=3000.0,
        ),
        dict(_COND_INIT, g_r=0.0, g_s=0.0),
    ),
    "IF_facets_hardware1": (
        dict(
            g_leak=40.0,
            tau_syn_E=30.0,
            tau_syn_I=30.0,
            v_reset=-80.0,
            e_rev_I=-80.0,
            v_rest=-65.0,
            v_thresh=-55.0,
        ),
        _COND_INIT,
    ),
    "HH_cond_exp": (
        dict(
            gbar_Na=20.0,
            gbar_K=6.0,
            g_leak=0.01,
            cm=0.2,
            v_offset=-63.0,
            e_rev_Na=50.0,
            e_rev_K=-90.0,
            e_rev_leak=-65.0,
            e_rev_E=0.0,
            e_rev_I=-80.0,
            tau_syn_E=0.2,
            tau_syn_I=2.0,
            i_offset=0.0,
        ),
        dict(_COND_INIT, h=1.0, m=0.0, n=0.0),
    ),
    "EIF_cond_alpha_isfa_ista": (dict(_EIF), dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0)),
    "EIF_cond_exp_isfa_ista": (dict(_EIF), dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0)),
    "Izhikevich": (dict(a=0.02, b=0.2, c=-65.0, d=2.0, i_offset=0.0), dict(v=-70.0, u=-14.0)),
    "GIF_cond_exp": (
        dict(
            v_rest=-65.0,
            cm=1.0,
            tau_m=20.0,
            tau_refrac=4.0,
            tau_syn_E=5.0,
            tau_syn_I=5.0,
            e_rev_E=0.0,
            e_rev_I=-70.0,
            v_reset=-65.0,
            i_offset=0.0,
            delta_v=0.5,
            v_t_star=-48.0,
            lambda0=1.0,
            tau_eta=np.array([1.0, 10.0, 100.0]),
            tau_gamma=np.array([1.0, 10.0, 100.0]),
            a_eta=np.array([1.0, 1.0, 1.0]),
            a_gamma=np.array([1.0, 1.0, 1.0]),
        ),
        dict(v=-65.0, v_t=-48.0, i_eta=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    ),
    "SpikeSourcePoisson": (dict(rate=1.0, **_SOURCE), {}),
    "SpikeSourcePoissonRefractory": (dict(rate=1.0, tau_refrac=0.0, **_SOURCE), {}),
    "SpikeSourceGamma": (dict(alpha=2, beta=1.0, **_SOURCE), {}),
    "SpikeSourceArray": (dict(spike_times=np.array([1.0, 2.5])), {}),
}


#: NEST status entries that hold 0 until the first update (gif_cond_exp's threshold E_sfa =
#: V_T_star + kernels); only a multimeter shows their real value
STALE = {"E_sfa"}


def _create(model: str, n: int, native: dict):
    """nest.Create the way a backend must: scalars at creation, array values per neuron."""
    scalars = {k: v for k, v in native.items() if np.ndim(v) == 0}
    arrays = {k: np.asarray(v).tolist() for k, v in native.items() if np.ndim(v) != 0}
    nodes = nest.Create(model, n, params=scalars)
    if arrays:
        nodes.set([dict(arrays) for _ in range(n)])
    return nodes


def _read(nodes) -> dict:
    """GetStatus as {name: array with one row per node}."""
    status = nodes.get()
    if len(nodes) == 1:
        status = {k: [v] for k, v in status.items()}
    return {k: np.asarray(v) for k, v in status.items() if not isinstance(v[0], (str, dict))}


def _assert_close(actual, expected, what):
    np.testing.assert_allclose(
        np.asarray(actual, float), np.asarray(expected, float), rtol=1e-9, atol=1e-12, err_msg=what
    )


# --- every table entry is a real NEST model ------------------------------------------------------


def test_every_native_model_exists_in_nest():
    known = set(nest.node_models) | set(nest.synapse_models)
    missing = sorted(tr.native_models() - known)
    assert not missing, f"not NEST 3.10 models: {missing}"


def _all_translations():
    for table in (tr.CELL_TYPES, tr.CURRENT_SOURCES, tr.SYNAPSE_TYPES):
        yield from table.items()
    for td in tr.TIMING_DEPENDENCES:
        for wd in tr.WEIGHT_DEPENDENCES:
            if td != "Vogels2011Rule" or wd in tr.VOGELS_WEIGHT_DEPENDENCES:
                yield f"{td}+{wd}", tr.stdp_translation(td, wd)
    for neuron, psr in tr.POINT_NEURON_MODELS:
        yield f"{neuron}+{psr}", tr.point_neuron_translation(neuron, {"A": psr, "B": psr})


def test_native_names_exist_on_their_models():
    """Every native parameter/state name is in the model's defaults or its recordables."""
    for name, t in _all_translations():
        if t.native is None:
            continue
        defaults = nest.GetDefaults(t.native)
        known = set(defaults) | set(defaults.get("recordables", ()))
        natives = {p.native for p in (*t.params.values(), *t.state.values())}
        natives |= {o for c in t.computed for o in c.outputs} | set(t.fixed) | set(t.from_post)
        if t.receptor_ports:  # per-port recordables appear once the ports exist
            known |= {f"{p}{k}" for p in ("g_", "I_syn_") for k in t.receptor_ports.values()}
        assert natives <= known, f"{name} -> {t.native}: unknown {sorted(natives - known)}"
        post = {p.native for p in t.post_params.values()}
        assert post <= set(nest.GetDefaults("iaf_cond_exp")), f"{name}: post {post}"


# --- defaults survive a trip through NEST --------------------------------------------------------


@pytest.mark.parametrize("model", sorted(DEFAULTS))
def test_defaults_round_trip_through_nest(model):
    params, initial = DEFAULTS[model]
    translation = tr.CELL_TYPES[model]
    native = tr.to_native(model, {**params, **initial})
    nest.ResetKernel()
    nodes = _create(translation.native, 2, native)
    status = _read(nodes)
    recorded = [n for n in initial if tr.recordable_native(model, n)[0] not in set(status) - STALE]
    if recorded:  # NEST shows these only to a multimeter: its first sample, before any input
        natives = [tr.recordable_native(model, n)[0] for n in recorded]
        meter = nest.Create("multimeter", params={"record_from": natives, "interval": 0.1})
        nest.Connect(meter, nodes)
        nest.Simulate(3.0)  # samples reach the meter after one min_delay (1 ms)
        events = meter.events
        first = events["times"] == events["times"].min()
        status.update({k: events[k][first] for k in natives})
    back = tr.from_native(model, status)
    for name, expected in {**params, **initial}.items():
        value = np.asarray(back[name], float)
        assert value.shape[0] == 2, f"{model}.{name} not read per neuron"
        for per_cell in value:
            _assert_close(per_cell, expected, f"{model}.{name}")


def test_unsupported_cell_type_gives_reason():
    assert tr.CELL_TYPES["SpikeSourceInhGamma"].native is None
    with pytest.raises(errors.NotSupportedError, match="SpikeSourceInhGamma.*gamma"):
        tr.to_native("SpikeSourceInhGamma", {})
    with pytest.raises(errors.NotSupportedError, match="StochasticTsodyksMarkramSynapse"):
        tr.to_native("StochasticTsodyksMarkramSynapse", {})


# --- unit scales and single entries --------------------------------------------------------------


def test_unit_scaling_of_single_entries():
    assert tr.to_native("IF_curr_exp", {"i_offset": 0.5}) == {"I_e": 500.0}
    assert tr.to_native("IF_curr_exp", {"cm": 0.25}) == {"C_m": 250.0}
    # cm = 1 nF, tau_m = 20 ms: C_m = 1000 pF, g_L = C_m / tau_m = 50 nS
    assert tr.to_native("IF_cond_exp", {"cm": 1.0, "tau_m": 20.0}) == {"C_m": 1000.0, "g_L": 50.0}
    assert tr.to_native("EIF_cond_exp_isfa_ista", {"b": 0.0805})["b"] == pytest.approx(80.5)
    assert tr.to_native("HH_cond_exp", {"gbar_Na": 20.0}) == {"g_Na": 20000.0}
    assert tr.to_native("GIF_cond_exp", {"a_eta": np.array([1.0, 2.0])})["q_stc"].tolist() == [
        1000.0,
        2000.0,
    ]
    assert tr.to_native("DCSource", {"amplitude": 0.3})["amplitude"] == pytest.approx(300.0)
    assert tr.to_native("SpikeSourcePoisson", {"start": 5.0, "duration": 10.0}) == {
        "start": 5.0,
        "stop": 15.0,
    }


def test_state_and_recordable_factors():
    assert tr.state_to_native("IF_cond_exp", "gsyn_exc") == ("g_ex", 1000.0)
    assert tr.recordable_native("IF_cond_exp", "gsyn_inh") == ("g_in", 0.001)
    assert tr.recordable_native("EIF_cond_alpha_isfa_ista", "w") == ("w", 0.001)
    assert tr.state_to_native("HH_cond_exp", "h") == ("Inact_h", 1.0)
    assert tr.state_to_native("Izhikevich", "u") == ("U_m", 1.0)
    # NEST cannot set synaptic currents: the name is None, NEST starts them at 0
    assert tr.state_to_native("IF_curr_alpha", "isyn_exc")[0] is None
    assert tr.recordable_native("GIF_cond_exp", "v_t") == ("E_sfa", 1.0)
    with pytest.raises(errors.RecordingError):
        tr.recordable_native("IF_curr_exp", "gsyn_exc")


def test_weights():
    assert tr.weight_factor("uS") == 1000.0
    assert tr.weight_factor("nA") == 1000.0
    assert tr.weight_factor("mV") == 1.0
    assert tr.native_weight_sign("inhibitory", conductance_based=True) == -1.0
    assert tr.native_weight_sign("excitatory", conductance_based=True) == 1.0
    assert tr.native_weight_sign("inhibitory", conductance_based=False) == 1.0
    assert tr.CELL_TYPES["Izhikevich"].weight.native_unit == "mV"
    assert tr.CELL_TYPES["IF_curr_delta"].weight.native_unit == "mV"
    assert tr.CELL_TYPES["IF_cond_alpha"].weight.native_unit == "nS"
    assert tr.to_native("StaticSynapse", {"weight": 0.004, "delay": 1.5}, "uS", -1.0) == {
        "weight": -4.0,
        "delay": 1.5,
    }
    with pytest.raises(ValueError, match="weight unit"):
        tr.to_native("StaticSynapse", {"weight": 1.0})


def test_missing_and_unknown_inputs():
    with pytest.raises(KeyError, match="tau_m"):
        tr.to_native("IF_cond_exp", {"cm": 1.0})
    with pytest.raises(KeyError, match="duration"):
        tr.to_native("SpikeSourcePoisson", {"start": 1.0})
    with pytest.raises(errors.NonExistentParameterError):
        tr.to_native("IF_cond_exp", {"tau_mm": 1.0})


# --- computed transforms: exact inverses ---------------------------------------------------------

_pos = st.floats(0.01, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    cm=_pos,
    tau_m=_pos,
    start=st.floats(0, 1e4),
    duration=_pos,
    alpha=st.integers(1, 20),
    beta=_pos,
    phase=st.floats(-360, 360),
    freq=_pos,
    a_plus=_pos,
    a_minus=st.floats(0, 1),
    tau=_pos,
    rho=_pos,
    u=st.floats(0, 1),
    n=st.integers(1, 50),
)
def test_computed_round_trips(
    cm, tau_m, start, duration, alpha, beta, phase, freq, a_plus, a_minus, tau, rho, u, n
):
    cases = {
        "IF_cond_exp": {"cm": cm, "tau_m": tau_m},
        "SpikeSourcePoisson": {"start": start, "duration": duration},
        "SpikeSourceGamma": {"alpha": alpha, "beta": beta, "start": start, "duration": duration},
        "ACSource": {"phase": phase, "frequency": freq, "start": start},
        "SpikePairRule": {"A_plus": a_plus, "A_minus": a_minus},
        "Vogels2011Rule": {"tau": tau, "rho": rho},
        "MultiQuantalSynapse": {"U": u, "n": n},
    }
    for model, std in cases.items():
        back = tr.from_native(model, tr.to_native(model, std))
        for name, value in std.items():
            assert back[name] == pytest.approx(value, rel=1e-9, abs=1e-9), f"{model}.{name}"


@settings(max_examples=25, deadline=None)
@given(values=st.lists(_pos, min_size=16, max_size=16))
def test_every_cell_translation_inverts(values):
    for model, translation in tr.CELL_TYPES.items():
        if translation.native is None:
            continue
        params, _ = DEFAULTS[model]
        std = {name: values[i % len(values)] for i, name in enumerate(sorted(params))}
        std.update({k: params[k] for k in ("alpha", "spike_times") if k in params})
        if "tau_refrac" in std and "rate" in std:
            std["tau_refrac"] = 1.0 / (std["rate"] * 2.0) * 1e3  # half the mean interval (ms)
        back = tr.from_native(model, tr.to_native(model, std))
        for name, value in std.items():
            np.testing.assert_allclose(back[name], value, rtol=1e-9, err_msg=f"{model}.{name}")


# --- spike sources: NEST's parameters mean what PyNN's do ----------------------------------------


def _spike_trains(model: str, std: dict, n: int, t_stop: float) -> list[np.ndarray]:
    nest.ResetKernel()
    gens = _create(tr.CELL_TYPES[model].native, n, tr.to_native(model, std))
    parrots = nest.Create("parrot_neuron", n)
    rec = nest.Create("spike_recorder")
    nest.Connect(gens, parrots, "one_to_one")
    nest.Connect(parrots, rec)
    nest.Simulate(t_stop)
    ev = rec.events
    ids = np.asarray(parrots.tolist())
    return [np.sort(ev["times"][ev["senders"] == i]) for i in ids]


def test_gamma_source_rate_and_regularity():
    """A gamma(alpha, beta) renewal process fires at beta/alpha with ISI CV = 1/sqrt(alpha)."""
    alpha, beta, n, t = 4, 200.0, 20, 10_000.0
    trains = _spike_trains("SpikeSourceGamma", dict(alpha=alpha, beta=beta, **_SOURCE), n, t)
    count = sum(len(s) for s in trains)
    expected = n * beta / alpha * t / 1000.0  # 10 000 spikes
    # renewal process: Var(N) ~ N * CV^2
    assert abs(count - expected) < 5 * math.sqrt(expected / alpha)
    isi = np.concatenate([np.diff(s) for s in trains])
    assert np.std(isi) / np.mean(isi) == pytest.approx(1 / math.sqrt(alpha), rel=0.05)


def test_poisson_refractory_rate_and_dead_time():
    """rate is the mean rate *with* the dead time; no interval is shorter than tau_refrac."""
    rate, tau_refrac, n, t = 50.0, 10.0, 20, 10_000.0
    std = dict(rate=rate, tau_refrac=tau_refrac, **_SOURCE)
    trains = _spike_trains("SpikeSourcePoissonRefractory", std, n, t)
    count = sum(len(s) for s in trains)
    expected = n * rate * t / 1000.0
    cv2 = (1 - rate * tau_refrac / 1000.0) ** 2  # dead-time Poisson: CV = 1 - rate * d
    assert abs(count - expected) < 5 * math.sqrt(expected * cv2)
    assert min(np.diff(s).min() for s in trains) >= tau_refrac - 1e-9
    with pytest.raises(errors.InvalidParameterValueError, match="tau_refrac"):
        tr.to_native("SpikeSourcePoissonRefractory", dict(rate=200.0, tau_refrac=5.0, **_SOURCE))


@pytest.mark.parametrize(
    "model, std",
    [
        ("SpikeSourcePoisson", dict(rate=500.0)),
        ("SpikeSourcePoissonRefractory", dict(rate=200.0, tau_refrac=1.0)),
        ("SpikeSourceGamma", dict(alpha=3, beta=1500.0)),
    ],
)
def test_sources_fire_only_between_start_and_start_plus_duration(model, std):
    start, duration, delay = 20.0, 30.0, 1.0  # generator -> parrot delay 1 ms
    trains = _spike_trains(model, dict(std, start=start, duration=duration), 5, 80.0)
    times = np.concatenate(trains) - delay
    assert times.size > 0
    assert times.min() > start and times.max() <= start + duration


def test_gamma_alpha_must_be_integer():
    with pytest.raises(errors.InvalidParameterValueError, match="alpha"):
        tr.to_native("SpikeSourceGamma", dict(alpha=2.5, beta=1.0, **_SOURCE))


def test_ac_source_phase_counts_from_start():
    """I(t) = amplitude sin(2 pi f (t - start) + phase) + offset for t >= start."""
    amp, f, phase, start = 1.0, 50.0, 30.0, 7.0
    std = dict(amplitude=amp, offset=0.2, frequency=f, phase=phase, start=start, stop=1e12)
    nest.ResetKernel()
    gen = nest.Create("ac_generator", params=tr.to_native("ACSource", std))
    meter = nest.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    nest.Connect(meter, gen)
    nest.Simulate(30.0)
    t, current = meter.events["times"], meter.events["I"]
    on = t >= start
    expected_na = amp * np.sin(2 * np.pi * f * (t[on] - start) / 1000.0 + np.radians(phase)) + 0.2
    np.testing.assert_allclose(current[on] / 1000.0, expected_na, atol=1e-9)


# --- synapses ------------------------------------------------------------------------------------


def test_spike_pair_rule_amplitudes():
    native = tr.to_native("SpikePairRule", {"A_plus": 0.01, "A_minus": 0.02, "tau_plus": 15.0})
    assert native["lambda"] == pytest.approx(0.01)
    assert native["alpha"] == pytest.approx(2.0)
    assert native["tau_plus"] == 15.0
    assert tr.to_native("SpikePairRule", {"A_plus": 0.0, "A_minus": 0.0})["alpha"] == 0.0
    # A_plus = 0: depression keeps its amplitude, lambda * alpha = A_minus exactly
    native = tr.to_native("SpikePairRule", {"A_plus": 0.0, "A_minus": 0.01})
    assert native["lambda"] * native["alpha"] == 0.01
    assert native["lambda"] < 1e-100
    back = tr.from_native("SpikePairRule", native)
    assert (back["A_plus"], back["A_minus"]) == (0.0, 0.01)


@pytest.mark.parametrize(
    "weight_dependence, mu",
    [
        ("AdditiveWeightDependence", (0.0, 0.0)),
        ("MultiplicativeWeightDependence", (1.0, 1.0)),
        ("AdditivePotentiationMultiplicativeDepression", (0.0, 1.0)),
        ("GutigWeightDependence", (0.3, 0.7)),
    ],
)
def test_stdp_mechanism_connects_in_nest(weight_dependence, mu):
    t = tr.stdp_translation("SpikePairRule", weight_dependence)
    std = dict(
        weight=0.002,
        delay=1.0,
        dendritic_delay_fraction=1.0,
        w_min=0.0,
        w_max=0.01,
        tau_plus=20.0,
        tau_minus=30.0,
        A_plus=0.01,
        A_minus=0.012,
    )
    if weight_dependence == "GutigWeightDependence":
        std.update(mu_plus=0.3, mu_minus=0.7)
    sign = tr.native_weight_sign("inhibitory", conductance_based=True)
    native = tr.to_native(t, std, weight_unit="uS", weight_sign=sign)
    assert (native["weight"], native["Wmax"]) == pytest.approx((-2.0, -10.0))
    assert (native["mu_plus"], native["mu_minus"]) == mu
    nest.ResetKernel()
    pre, post = nest.Create("iaf_cond_exp", 2)
    post.set(tr.post_to_native(t, std))
    nest.Connect(pre, post, syn_spec={"synapse_model": t.native, **native})
    conn = nest.GetConnections(pre, post)
    status = {k: np.asarray(v) for k, v in conn.get().items()}
    back = tr.from_native(t, status, weight_unit="uS", weight_sign=sign)
    for name in ("weight", "w_max", "tau_plus", "A_plus", "A_minus"):
        assert back[name] == pytest.approx(std[name], rel=1e-9), name
    assert post.get("tau_minus") == 30.0


def test_stdp_unsupported_settings():
    t = tr.stdp_translation("SpikePairRule", "AdditiveWeightDependence")
    with pytest.raises(errors.NotSupportedError, match="w_min"):
        tr.to_native(t, {"w_min": 0.1})
    with pytest.raises(errors.NotSupportedError, match="dendritic_delay_fraction"):
        tr.to_native(t, {"dendritic_delay_fraction": 0.5})
    with pytest.raises(errors.NotSupportedError, match="Vogels2011Rule"):
        tr.stdp_translation("Vogels2011Rule", "MultiplicativeWeightDependence")


def test_vogels_rule():
    """Vogels et al. 2011: alpha = 2 rho0 tau = 2 * 3 Hz * 20 ms = 0.12; eta is a weight step."""
    t = tr.stdp_translation("Vogels2011Rule", "AdditiveWeightDependence")
    assert t.native == "vogels_sprekeler_synapse"
    std = dict(weight=0.001, delay=1.0, tau=20.0, eta=1e-4, rho=3.0, w_min=0.0, w_max=0.01)
    native = tr.to_native(t, std, weight_unit="uS", weight_sign=-1.0)
    assert native["alpha"] == pytest.approx(0.12)
    assert native["eta"] == pytest.approx(0.1)  # 1e-4 uS = 0.1 nS, unsigned
    assert native["Wmax"] == pytest.approx(-10.0)
    assert "mu_plus" not in native
    assert tr.post_to_native(t, std) == {"tau_minus": 20.0}
    nest.ResetKernel()
    pre, post = nest.Create("iaf_cond_exp", 2)
    nest.Connect(pre, post, syn_spec={"synapse_model": t.native, **native})
    assert nest.GetConnections(pre, post).get("alpha") == pytest.approx(0.12)


def test_short_term_plasticity_synapses_in_nest():
    nest.ResetKernel()
    pre, post = nest.Create("iaf_psc_exp", 2)
    tm = tr.SYNAPSE_TYPES["TsodyksMarkramSynapse"]
    std = dict(weight=0.5, delay=1.0, U=0.3, tau_rec=120.0, tau_facil=10.0, u=0.1)
    native = tr.to_native("TsodyksMarkramSynapse", std, weight_unit="nA")
    assert tm.from_post["tau_psc"] == {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}
    native["tau_psc"] = 5.0  # the post cell's tau_syn_E
    nest.Connect(pre, post, syn_spec={"synapse_model": tm.native, **native})
    mq = tr.to_native(
        "MultiQuantalSynapse",
        dict(weight=1.0, U=0.2, n=5, tau_rec=800.0, tau_facil=0.0),
        weight_unit="nA",
    )
    nest.Connect(post, pre, syn_spec={"synapse_model": "quantal_stp_synapse", **mq})
    bern = tr.to_native("SimpleStochasticSynapse", dict(weight=1.0, p=0.25), weight_unit="nA")
    nest.Connect(pre, pre, syn_spec={"synapse_model": "bernoulli_synapse", **bern})
    got = nest.GetConnections(pre, post).get(["U", "tau_rec", "tau_fac", "u", "weight"])
    assert got == pytest.approx(dict(U=0.3, tau_rec=120.0, tau_fac=10.0, u=0.1, weight=500.0))
    q = nest.GetConnections(post, pre).get(["n", "a", "u", "U"])
    assert q == {"n": 5, "a": 5, "u": pytest.approx(0.2), "U": pytest.approx(0.2)}
    assert nest.GetConnections(pre, pre).get("p_transmit") == pytest.approx(0.25)


def test_current_sources_create_in_nest():
    cases = {
        "DCSource": dict(amplitude=1.0, start=0.0, stop=1e12),
        "ACSource": dict(
            amplitude=1.0, start=0.0, stop=1e12, frequency=10.0, offset=0.0, phase=0.0
        ),
        "StepCurrentSource": dict(amplitudes=np.array([0.1, 0.3]), times=np.array([2.0, 6.0])),
        "NoisyCurrentSource": dict(mean=0.0, stdev=1.0, start=0.0, stop=1e12, dt=0.1),
    }
    for name, std in cases.items():
        nest.ResetKernel()
        t = tr.CURRENT_SOURCES[name]
        node = _create(t.native, 1, tr.to_native(name, std))
        back = tr.from_native(name, _read(node))
        for key, expected in std.items():
            _assert_close(np.ravel(back[key]), np.ravel(expected), f"{name}.{key}")


# --- PointNeuron on *_multisynapse models --------------------------------------------------------


def _lif_spike_time(translation, receptors: dict) -> float:
    lif = dict(
        cm=1.0,
        tau_refrac=0.1,
        v_reset=-65.0,
        v_rest=-65.0,
        tau_m=20.0,
        i_offset=1.0,
        v_thresh=-50.0,
    )
    nest.ResetKernel()
    node = _create(
        translation.native, 1, tr.to_native(translation, {**lif, **receptors, "v": -65.0})
    )
    rec = nest.Create("spike_recorder")
    nest.Connect(node, rec)
    nest.Simulate(40.0)
    return float(rec.events["times"][0])


@pytest.mark.parametrize(
    "psr, receptors",
    [
        ("CurrExpPostSynapticResponse", {"AMPA.tau_syn": 2.0, "GABA.tau_syn": 8.0}),
        (
            "CondAlphaPostSynapticResponse",
            {"AMPA.e_syn": 0.0, "AMPA.tau_syn": 2.0, "GABA.e_syn": -70.0, "GABA.tau_syn": 8.0},
        ),
        (
            "CondBetaPostSynapticResponse",
            {
                "AMPA.e_syn": 0.0,
                "AMPA.tau_rise": 0.2,
                "AMPA.tau_decay": 1.7,
                "GABA.e_syn": -70.0,
                "GABA.tau_rise": 0.5,
                "GABA.tau_decay": 8.0,
            },
        ),
    ],
)
def test_point_neuron_lif_is_exactly_lif(psr, receptors):
    """Under 1 nA, a LIF neuron (20 ms, 1 nF, 15 mV to threshold) first fires at
    t* = tau_m ln(R I / (R I - 15 mV)) = 20 ln 4 ms, whatever the NEST model behind it."""
    t = tr.point_neuron_translation("LIF", {"AMPA": psr, "GABA": psr})
    assert t.receptor_ports == {"AMPA": 1, "GABA": 2}
    t_star = 20.0 * math.log(4.0)
    t_spike = _lif_spike_time(t, receptors)
    assert t_star <= t_spike <= t_star + 0.1 + 1e-6  # reported at the end of its 0.1 ms step
    rec_names = set(nest.GetDefaults(t.native)["recordables"])
    native_var, _ = tr.recordable_native(t, "AMPA." + ("isyn" if "Curr" in psr else "gsyn"))
    assert native_var.endswith("_1")
    nest.ResetKernel()
    two = _create(t.native, 2, tr.to_native(t, receptors))
    assert {f"{native_var[:-1]}{k}" for k in (1, 2)} <= set(two[0].get("recordables")) | rec_names


def test_point_neuron_adexp_receptor_arrays_read_back():
    t = tr.point_neuron_translation(
        "AdExp", {"NMDA": "CondBetaPostSynapticResponse", "AMPA": "CondBetaPostSynapticResponse"}
    )
    std = dict(_EIF)
    for key in ("e_rev_E", "e_rev_I", "tau_syn_E", "tau_syn_I"):
        std.pop(key)
    std.update(
        {
            "AMPA.e_syn": 0.0,
            "AMPA.tau_rise": 0.2,
            "AMPA.tau_decay": 1.7,
            "NMDA.e_syn": 0.0,
            "NMDA.tau_rise": 3.0,
            "NMDA.tau_decay": 80.0,
        }
    )
    nest.ResetKernel()
    nodes = _create(t.native, 2, tr.to_native(t, std))
    back = tr.from_native(t, _read(nodes))
    for name, expected in std.items():
        for per_cell in np.asarray(back[name], float):
            _assert_close(per_cell, expected, name)
    assert t.receptor_ports == {"AMPA": 1, "NMDA": 2}


def test_point_neuron_unsupported_combinations():
    with pytest.raises(errors.NotSupportedError, match="CondExpPostSynapticResponse"):
        tr.point_neuron_translation("LIF", {"AMPA": "CondExpPostSynapticResponse"})
    with pytest.raises(errors.NotSupportedError, match="CurrExpPostSynapticResponse"):
        tr.point_neuron_translation("AdExp", {"AMPA": "CurrExpPostSynapticResponse"})
    with pytest.raises(errors.NotSupportedError, match="several kinds"):
        tr.point_neuron_translation(
            "AdExp",
            {"A": "CondAlphaPostSynapticResponse", "B": "CondBetaPostSynapticResponse"},
        )


def test_translation_for_instances():
    """Instances are translated by class name; PointNeuron by its components."""
    point = models.PointNeuron(
        models.LIF(),
        GABA=models.CondAlphaPostSynapticResponse(),
        AMPA=models.CondAlphaPostSynapticResponse(),
    )
    t = tr.translation_for(point)
    assert t.native == "aeif_cond_alpha_multisynapse"
    assert t.receptor_ports == {"AMPA": 1, "GABA": 2}
    assert tr.receptor_port(t, "GABA") == 2
    assert (t.fixed["Delta_T"], t.fixed["a"], t.fixed["b"]) == (0.0, 0.0, 0.0)
    assert tr.translation_for(models.IF_cond_exp()) is tr.CELL_TYPES["IF_cond_exp"]
    assert tr.receptor_port("IF_cond_exp", "inhibitory") == 0
