COMMENT
pynn_uni's integrate-and-fire point neuron (IF_curr_exp, IF_curr_alpha, IF_curr_delta,
IF_cond_exp, IF_cond_alpha, IF_cond_exp_gsfa_grr, IF_facets_hardware1), written for
pynn_uni.  Units: mV, ms, nF, nA, uS.

Why this update order: NEST updates its IF models once per time step (v first, with the
synaptic state at the start of the step; then input that arrives at the end of the step;
then the threshold test, so spikes fall on the grid; during tau_refrac v is clamped to
v_reset while synapses keep decaying).  BREAKPOINT's SOLVE calls onestep() from NEURON's
fixed-step loop (a tight C loop over all instances, ~0.05 us per cell and step for
exponential synapses, far cheaper than a self-event per step), once per step with t = the end of the step and after every
input event at the start of the step has been delivered: the state goes from t - grid to t
with nsub classical Runge-Kutta substeps (error far below 1e-6 mV).  The instances inject
no current: they sit on one shared segment (the backend's clock section) and need the
fixed-step method with dt = grid (NEURON refuses CVODE for this mechanism).
Spikes: onestep() emits a spike with net_event at the end of its step (spk is 1 for that
step), so the cell itself is the NetCon source and a spike in a run's last step is
recorded in that run.  (A WATCH on spk would cost a condition check per cell and step.)
IF_curr_delta inputs are summed in jump and added by the next onestep() before its
threshold test (NEST's iaf_psc_delta), so they must arrive within the step before the one
they land in: the backend delivers them 0.6 step early.

cond = 0: current-based (weights in nA, inhibitory weights negative);
cond = 1: conductance-based (weights in uS, both positive).
alpha = 0: exponential synapses; alpha = 1: alpha-shaped (peak = weight at t = tau_syn);
delta = 1: no synaptic dynamics, an input is a jump of v by its weight (mV), IF_curr_delta.
NET_RECEIVE(w, receptor): receptor 0 excitatory, 1 inhibitory, 2 a step change of the
injected current i_inj by w (nA), from the step that starts at the event time on.
At most one ACSource (ac_*) and one NoisyCurrentSource (noise_*, a new normal value every
noise_dt from this cell's own Random123 stream) per cell.
syn > 0 on a NetCon gives it short-term dynamics or stochastic release (Tsodyks-Markram,
stochastic, multi-quantal: see pynn_synapse.inc, shared by every pynn_uni cell mechanism).
stdp = 1 makes it plastic with pair-based STDP (NEST's stdp_synapse: weight dependence
exponents mu_plus, mu_minus), stdp = 2 with Vogels et al. 2011's symmetric rule (NEST's
vogels_sprekeler_synapse: A_plus = eta, A_minus = the constant depression, one tau in both
tau_plus and tau_minus), from the last 64 spikes of this cell (tpost); w (weight[0]) is the
synapse's weight and changes in place.  Slots: see ../plasticity.py.

The cell itself (parameters, state, the step, the input) is pynn_if_cell.inc, shared with
PynnIFStatic (pynn_if_static.mod), the same cell with a two-slot NET_RECEIVE(w, receptor)
for cells whose inputs are all static: a NetCon's weight vector has as many slots as its
target's NET_RECEIVE arguments, 24 here (192 bytes per connection), 2 there.
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


INCLUDE "pynn_if_cell.inc"

ASSIGNED {
    : a connection's new short-term state, from syn_release (pynn_synapse.inc)
    syn_u
    syn_x
    syn_y
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
        : never sent: its net_event makes nocmodl register the cell as a spike source;
        : onestep() sends the spikes
        net_event(t)
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
        deposit(weff, receptor)
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
