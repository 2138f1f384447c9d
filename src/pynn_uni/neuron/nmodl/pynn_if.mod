COMMENT
pynn_uni's integrate-and-fire point neuron (IF_curr_exp, IF_curr_alpha, IF_curr_delta,
IF_cond_exp, IF_cond_alpha, IF_cond_exp_gsfa_grr, IF_facets_hardware1), written for
pynn_uni.  Units: mV, ms, nF, nA, uS.

Why this update order: NEST updates its IF models once per time step (v first, with the
synaptic state at the start of the step; then input that arrives at the end of the step;
then the threshold test, so spikes fall on the grid; during tau_refrac v is clamped to
v_reset while synapses keep decaying).  BREAKPOINT's SOLVE calls onestep() from NEURON's
fixed-step loop (a tight C loop over all instances, ~0.13 us per cell and step, 8x cheaper
than a self-event per step), once per step with t = the end of the step and after every
input event at the start of the step has been delivered: the state goes from t - grid to t
with nsub classical Runge-Kutta substeps (error far below 1e-6 mV).  The instances inject
no current: they sit on one shared segment (the backend's clock section) and need the
fixed-step method with dt = grid (NEURON refuses CVODE for this mechanism).
Spikes: spk is 1 for the step in which the cell fired; a WATCH on it, checked by NEURON at
the start of the next step, calls NET_RECEIVE (flag 2), which emits the spike with
net_event at the end of its step, so the cell itself is the NetCon source.  A spike in the
last step of a run would wait for the next run: the backend flushes it with an event on
receptor 3 at the run's end - grid / 4 (spk is 0.5 once emitted, so it goes out once).
IF_curr_delta inputs are summed in jump and added by the next onestep() before its
threshold test (NEST's iaf_psc_delta), so they must arrive within the step before the one
they land in: the backend delivers them 0.6 step early.

cond = 0: current-based (weights in nA, inhibitory weights negative);
cond = 1: conductance-based (weights in uS, both positive).
alpha = 0: exponential synapses; alpha = 1: alpha-shaped (peak = weight at t = tau_syn);
delta = 1: no synaptic dynamics, an input is a jump of v by its weight (mV), IF_curr_delta.
NET_RECEIVE(w, receptor): receptor 0 excitatory, 1 inhibitory, 2 a step change of the
injected current i_inj by w (nA), from the step that starts at the event time on; 3 the
backend's end-of-run flush.
At most one ACSource (ac_*) and one NoisyCurrentSource (noise_*, a new normal value every
noise_dt from this cell's own Random123 stream) per cell.
syn > 0 on a NetCon gives it short-term dynamics or stochastic release (Tsodyks-Markram,
stochastic, multi-quantal: see pynn_synapse.inc, shared by every pynn_uni cell mechanism).
stdp = 1 makes it plastic with pair-based STDP (NEST's stdp_synapse: weight dependence
exponents mu_plus, mu_minus), stdp = 2 with Vogels et al. 2011's symmetric rule (NEST's
vogels_sprekeler_synapse: A_plus = eta, A_minus = the constant depression, one tau in both
tau_plus and tau_minus), from the last 64 spikes of this cell (tpost); w (weight[0]) is the
synapse's weight and changes in place.  Slots: see ../plasticity.py.
ENDCOMMENT

NEURON {
    POINT_PROCESS PynnIF
    RANGE cm, tau_m, v_rest, v_reset, v_thresh, tau_refrac, i_offset
    RANGE tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, cond, alpha, delta, grid, nsub, v_init, i_inj
    RANGE vm, ge, ye, gi, yi, refr, isyn_exc, isyn_inh, spk
    RANGE dv, dge, dye, dgi, dyi
    RANGE tau_sfa, e_rev_sfa, q_sfa, tau_rr, e_rev_rr, q_rr, gs, gr
    RANGE ac_on, ac_amp, ac_offset, ac_freq, ac_phase, ac_start, ac_stop
    RANGE noise_on, noise_mean, noise_std, noise_dt, noise_start, noise_stop, i_noise, i_wave
    RANGE i_ac, i_nz
    RANDOM noise_rng, syn_rng
    RANGE syn_u, syn_x, syn_y
}


UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
    (nF) = (nanofarad)
}

CONSTANT {
    pi = 3.141592653589793
}

PARAMETER {
    cm = 1 (nF)
    tau_m = 20 (ms)
    v_rest = -65 (mV)
    v_reset = -65 (mV)
    v_thresh = -50 (mV)
    tau_refrac = 0.1 (ms)
    i_offset = 0 (nA)
    tau_syn_E = 5 (ms)
    tau_syn_I = 5 (ms)
    e_rev_E = 0 (mV)
    e_rev_I = -70 (mV)
    cond = 0
    alpha = 0
    delta = 0
    grid = 0.1 (ms)
    nsub = 10
    v_init = -65 (mV)
    tau_sfa = 100 (ms)
    e_rev_sfa = -75 (mV)
    q_sfa = 0 : nS
    tau_rr = 2 (ms)
    e_rev_rr = -75 (mV)
    q_rr = 0 : nS
    ac_on = 0
    ac_amp = 0 (nA)
    ac_offset = 0 (nA)
    ac_freq = 0 (/s)
    ac_phase = 0 : degrees
    ac_start = 0 (ms)
    ac_stop = 1e12 (ms)
    noise_on = 0
    noise_mean = 0 (nA)
    noise_std = 0 (nA)
    noise_dt = 0.1 (ms)
    noise_start = 0 (ms)
    noise_stop = 1e12 (ms)
}

ASSIGNED {
    i_inj (nA)
    i_wave (nA)
    i_noise (nA)
    i_ac (nA)
    i_nz (nA)
    vm (mV)
    ge
    ye
    gi
    yi
    refr
    jump
    spk
    gs
    gr
    tpost[64] (ms)
    npost
    isyn_exc (nA)
    isyn_inh (nA)
    dv
    dge
    dye
    dgi
    dyi
    syn_u
    syn_x
    syn_y
}

INITIAL {
    vm = v_init
    ge = 0
    ye = 0
    gi = 0
    yi = 0
    refr = 0
    jump = 0
    spk = 0
    gs = 0
    gr = 0
    npost = 0
    i_inj = 0
    i_wave = 0
    i_noise = 0
    i_ac = 0
    i_nz = 0
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE onestep
}

PROCEDURE deriv(vv, gee, yee, gii, yii, frozen, off (ms)) {
    LOCAL iad
    : spike-frequency adaptation and relative refractoriness (IF_cond_exp_gsfa_grr), in nS:
    : plain exponential decays, evaluated exactly at the substep offset
    iad = 0
    if (q_sfa > 0 || q_rr > 0 || gs > 0 || gr > 0) {
        iad = 0.001 * (gs * exp(-off / tau_sfa) * (e_rev_sfa - vv) + gr * exp(-off / tau_rr) * (e_rev_rr - vv))
    }
    if (cond > 0) {
        isyn_exc = gee * (e_rev_E - vv)
        isyn_inh = gii * (e_rev_I - vv)
    } else {
        isyn_exc = gee
        isyn_inh = gii
    }
    if (frozen > 0) {
        dv = 0
    } else {
        dv = ((v_rest - vv) * cm / tau_m + i_offset + i_inj + i_wave + isyn_exc + isyn_inh + iad) / cm
    }
    if (alpha > 0) {
        dge = yee - gee / tau_syn_E
        dye = -yee / tau_syn_E
        dgi = yii - gii / tau_syn_I
        dyi = -yii / tau_syn_I
    } else {
        dge = -gee / tau_syn_E
        dye = 0
        dgi = -gii / tau_syn_I
        dyi = 0
    }
}

PROCEDURE advance() {
    LOCAL h, k, frozen, v0, ge0, ye0, gi0, yi0, v1, ge1, ye1, gi1, yi1, v2, ge2, ye2, gi2, yi2, v3, ge3, ye3, gi3, yi3, v4, ge4, ye4, gi4, yi4
    h = grid / nsub
    frozen = 0
    if (refr > 0) {
        frozen = 1
        vm = v_reset
    }
    FROM k = 1 TO nsub {
        v0 = vm
        ge0 = ge
        ye0 = ye
        gi0 = gi
        yi0 = yi
        deriv(v0, ge0, ye0, gi0, yi0, frozen, 0)
        v1 = dv
        ge1 = dge
        ye1 = dye
        gi1 = dgi
        yi1 = dyi
        deriv(v0 + 0.5*h*v1, ge0 + 0.5*h*ge1, ye0 + 0.5*h*ye1, gi0 + 0.5*h*gi1, yi0 + 0.5*h*yi1, frozen, 0.5*h)
        v2 = dv
        ge2 = dge
        ye2 = dye
        gi2 = dgi
        yi2 = dyi
        deriv(v0 + 0.5*h*v2, ge0 + 0.5*h*ge2, ye0 + 0.5*h*ye2, gi0 + 0.5*h*gi2, yi0 + 0.5*h*yi2, frozen, 0.5*h)
        v3 = dv
        ge3 = dge
        ye3 = dye
        gi3 = dgi
        yi3 = dyi
        deriv(v0 + h*v3, ge0 + h*ge3, ye0 + h*ye3, gi0 + h*gi3, yi0 + h*yi3, frozen, h)
        v4 = dv
        ge4 = dge
        ye4 = dye
        gi4 = dgi
        yi4 = dyi
        vm = v0 + h * (v1 + 2*v2 + 2*v3 + v4) / 6
        ge = ge0 + h * (ge1 + 2*ge2 + 2*ge3 + ge4) / 6
        ye = ye0 + h * (ye1 + 2*ye2 + 2*ye3 + ye4) / 6
        gi = gi0 + h * (gi1 + 2*gi2 + 2*gi3 + gi4) / 6
        yi = yi0 + h * (yi1 + 2*yi2 + 2*yi3 + yi4) / 6
        if (gs > 0 || gr > 0) {
            gs = gs * exp(-h / tau_sfa)
            gr = gr * exp(-h / tau_rr)
        }
    }
    deriv(vm, ge, ye, gi, yi, frozen, 0)
}

PROCEDURE waves(tk (ms)) {
    LOCAL k
    : ACSource (i_ac) and NoisyCurrentSource (i_nz), constant over the step that starts
    : at tk; each is recorded on its own, their sum drives the membrane
    i_ac = 0
    i_nz = 0
    if (ac_on > 0 && tk >= ac_start - 0.01 * grid && tk < ac_stop - 0.01 * grid) {
        i_ac = ac_offset + ac_amp * sin(2 * pi * ac_freq * (tk - ac_start) / 1000 + ac_phase * pi / 180)
    }
    if (noise_on > 0 && tk >= noise_start - 0.01 * grid && tk < noise_stop - 0.01 * grid) {
        k = floor((tk - noise_start) / noise_dt + 0.01 * grid / noise_dt)
        if (fabs(tk - noise_start - k * noise_dt) < 0.01 * grid) {
            i_noise = noise_mean + noise_std * random_normal(noise_rng)
        }
        i_nz = i_noise
    }
    i_wave = i_ac + i_nz
}

PROCEDURE onestep() {
    LOCAL k
    : the step from t - grid to t: state, then input jumps, then threshold
    spk = 0
    waves(t - grid)
    advance()
    if (refr > 0) {
        refr = refr - 1
        vm = v_reset
    } else {
        vm = vm + jump
        if (vm >= v_thresh) {
            vm = v_reset
            refr = floor(tau_refrac / grid + 0.5)
            gs = gs + q_sfa
            gr = gr + q_rr
            FROM k = 0 TO 62 {
                tpost[63 - k] = tpost[62 - k]
            }
            tpost[0] = t
            npost = npost + 1
            spk = 1
        }
    }
    jump = 0
}

NET_RECEIVE(w, receptor, syn, U, tau_rec (ms), tau_facil (ms), tau_psc (ms), u0, su, sx, sy, tlast (ms), stdp, tau_plus (ms), tau_minus (ms), A_plus, A_minus, w_min, w_max, mu_plus, mu_minus, dend (ms), kplus, tpre (ms)) {
    LOCAL weff, k, s, kminus, tp, nw, sgn
    INITIAL {
        : without this block finitialize would zero weight[1..] (receptor, synapse parameters)
        su = u0
        sx = syn_start_x(syn, sy)
        sy = syn_start_y(syn, sy)
        tlast = 0
        kplus = 0
        tpre = -1e9
    }
    if (flag == 1) {
        WATCH (spk > 0.5) 2
    } else if (flag == 2 || receptor > 2.5) {
        : the WATCH saw this step's spike, or the backend flushes the last step of a
        : run (receptor 3, at the run's end - dt / 4): emit it once, at its step's end
        if (spk > 0.75) {
            net_event(tpost[0])
            spk = 0.5
        }
    } else if (receptor > 1.5) {
        i_inj = i_inj + w
    } else {
        if (stdp > 0) {
            : pair-based STDP, evaluated (as NEST's stdp_synapse) at each pre spike.  The
            : whole delay is dendritic: the synapse sees this pre spike at tp = t - dend and
            : a post spike at t_post + dend.  First facilitation by every post spike seen
            : since the last pre spike, then depression by the post trace at tp.
            : stdp = 2 (Vogels): magnitudes, the sign of w_max, as vogels_sprekeler_synapse
            tp = t - dend
            kminus = 0
            sgn = 1
            if (w_max < 0) {
                sgn = -1
            }
            FROM k = 0 TO 63 {
                if (63 - k < npost) {
                    s = tpost[63 - k] + dend
                    if (s > tpre + 1e-6 && s <= tp + 1e-6) {
                        if (stdp > 1.5) {
                            w = vogels_up(w, A_plus * kplus * exp((tpre - s) / tau_plus), w_max)
                        } else {
                            w = w + w_max * A_plus * wdep((w_max - w) / w_max, mu_plus) * kplus * exp((tpre - s) / tau_plus)
                            if (w > w_max) {
                                w = w_max
                            }
                        }
                    }
                    if (s < tp - 1e-6) {
                        kminus = kminus + exp((s - tp) / tau_minus)
                    }
                }
            }
            if (stdp > 1.5) {
                w = vogels_up(w, A_plus * kminus, w_max)
                nw = fabs(w) - A_minus
                if (nw < fabs(w_min)) {
                    nw = fabs(w_min)
                }
                w = sgn * nw
            } else {
                w = w - w_max * A_minus * wdep((w - w_min) / w_max, mu_minus) * kminus
                if (w < w_min) {
                    w = w_min
                }
            }
            kplus = kplus * exp((tpre - tp) / tau_plus) + 1
            tpre = tp
        }
        weff = w
        if (syn > 0) {
            : short-term dynamics or stochastic release (pynn_synapse.inc)
            weff = syn_release(syn, w, U, tau_rec, tau_facil, tau_psc, u0, su, sx, sy, tlast)
            su = syn_u
            sx = syn_x
            sy = syn_y
            tlast = t
        }
        if (delta > 0) {
            : IF_curr_delta: a jump of v by the weight (mV), added by the next onestep()
            : before its threshold test, lost if the cell is refractory then (iaf_psc_delta)
            jump = jump + weff
        } else if (receptor > 0.5) {
            if (alpha > 0) {
                yi = yi + weff * exp(1) / tau_syn_I
            } else {
                gi = gi + weff
            }
        } else {
            if (alpha > 0) {
                ye = ye + weff * exp(1) / tau_syn_E
            } else {
                ge = ge + weff
            }
        }
    }
}

FUNCTION wdep(x, e) {
    : the weight dependence x^e, x clipped at 0, with 0^0 = 1 (additive: e = 0)
    if (e == 0) {
        wdep = 1
    } else if (x <= 0) {
        wdep = 0
    } else {
        wdep = pow(x, e)
    }
}

FUNCTION vogels_up(w, dw, w_max) {
    : |w| + dw, at most |w_max|, with the sign of w_max (vogels_sprekeler_synapse)
    vogels_up = fabs(w) + dw
    if (vogels_up > fabs(w_max)) {
        vogels_up = fabs(w_max)
    }
    if (w_max < 0) {
        vogels_up = -vogels_up
    }
}

INCLUDE "pynn_synapse.inc"
