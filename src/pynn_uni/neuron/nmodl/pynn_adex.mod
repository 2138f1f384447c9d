COMMENT
pynn_uni's adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005),
EIF_cond_exp_isfa_ista and EIF_cond_alpha_isfa_ista, written for pynn_uni.
Units: mV, ms, nF, nA, uS (a in nS, as PyNN states it).

Same time grid as PynnIF (see pynn_if.mod): a self-event at k*grid + grid/4 advances the
cell from k*grid to (k+1)*grid in nsub Runge-Kutta-4 substeps.  As in NEST's aeif models,
the spike test follows every substep: at v >= v_spike, v = v_reset, w += b, and the cell is
refractory (v clamped to v_reset, w still evolving with v = v_reset) for the rest of the
step and round(tau_refrac / grid) further steps; the spike is emitted at (k+1)*grid.  The
right-hand side uses min(v, v_spike), so the exponential cannot overflow.

alpha = 0: exponential conductances; alpha = 1: alpha-shaped (peak = weight at tau_syn).
NET_RECEIVE(w, receptor, ...): 0 excitatory, 1 inhibitory (uS); 2 a step of i_inj by w (nA);
the further slots give a connection short-term dynamics or stochastic release
(pynn_synapse.inc).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PynnAdEx
    RANGE cm, tau_m, v_rest, v_reset, v_thresh, v_spike, delta_T, a, b, tau_w
    RANGE tau_refrac, i_offset, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, alpha
    RANGE grid, nsub, v_init, w_init, i_inj
    RANGE vm, wa, ge, ye, gi, yi, refr
    RANGE dv, dw, dge, dye, dgi, dyi
    RANDOM syn_rng
    RANGE syn_u, syn_x, syn_y
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
    (nF) = (nanofarad)
}

PARAMETER {
    cm = 0.281 (nF)
    tau_m = 9.3667 (ms)
    v_rest = -70.6 (mV)
    v_reset = -70.6 (mV)
    v_thresh = -50.4 (mV)
    v_spike = -40 (mV)
    delta_T = 2 (mV)
    a = 4 : nS
    b = 0.0805 (nA)
    tau_w = 144 (ms)
    tau_refrac = 0.1 (ms)
    i_offset = 0 (nA)
    tau_syn_E = 5 (ms)
    tau_syn_I = 5 (ms)
    e_rev_E = 0 (mV)
    e_rev_I = -80 (mV)
    alpha = 0
    grid = 0.1 (ms)
    nsub = 10
    v_init = -70.6 (mV)
    w_init = 0 (nA)
}

ASSIGNED {
    i_inj (nA)
    vm (mV)
    wa (nA)
    ge
    ye
    gi
    yi
    refr
    fired
    dv
    dw
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
    wa = w_init
    ge = 0
    ye = 0
    gi = 0
    yi = 0
    refr = 0
    i_inj = 0
    net_send(0.25 * grid, 1)
}

PROCEDURE deriv(vv, ww, gee, yee, gii, yii) {
    LOCAL v, gl, spike
    if (refr > 0) {
        v = v_reset
    } else if (vv < v_spike) {
        v = vv
    } else {
        v = v_spike
    }
    gl = cm / tau_m
    spike = 0
    if (delta_T > 0) {
        spike = gl * delta_T * exp((v - v_thresh) / delta_T)
    }
    if (refr > 0) {
        dv = 0
    } else {
        dv = (-gl * (v - v_rest) + spike - gee * (v - e_rev_E) - gii * (v - e_rev_I) - ww + i_offset + i_inj) / cm
    }
    dw = (0.001 * a * (v - v_rest) - ww) / tau_w
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
    LOCAL h, k, v0, w0, ge0, ye0, gi0, yi0, v1, w1, ge1, ye1, gi1, yi1, v2, w2, ge2, ye2, gi2, yi2, v3, w3, ge3, ye3, gi3, yi3
    h = grid / nsub
    fired = 0
    FROM k = 1 TO nsub {
        v0 = vm
        w0 = wa
        ge0 = ge
        ye0 = ye
        gi0 = gi
        yi0 = yi
        deriv(v0, w0, ge0, ye0, gi0, yi0)
        v1 = dv
        w1 = dw
        ge1 = dge
        ye1 = dye
        gi1 = dgi
        yi1 = dyi
        deriv(v0 + 0.5*h*v1, w0 + 0.5*h*w1, ge0 + 0.5*h*ge1, ye0 + 0.5*h*ye1, gi0 + 0.5*h*gi1, yi0 + 0.5*h*yi1)
        v2 = dv
        w2 = dw
        ge2 = dge
        ye2 = dye
        gi2 = dgi
        yi2 = dyi
        deriv(v0 + 0.5*h*v2, w0 + 0.5*h*w2, ge0 + 0.5*h*ge2, ye0 + 0.5*h*ye2, gi0 + 0.5*h*gi2, yi0 + 0.5*h*yi2)
        v3 = dv
        w3 = dw
        ge3 = dge
        ye3 = dye
        gi3 = dgi
        yi3 = dyi
        deriv(v0 + h*v3, w0 + h*w3, ge0 + h*ge3, ye0 + h*ye3, gi0 + h*gi3, yi0 + h*yi3)
        vm = v0 + h * (v1 + 2*v2 + 2*v3 + dv) / 6
        wa = w0 + h * (w1 + 2*w2 + 2*w3 + dw) / 6
        ge = ge0 + h * (ge1 + 2*ge2 + 2*ge3 + dge) / 6
        ye = ye0 + h * (ye1 + 2*ye2 + 2*ye3 + dye) / 6
        gi = gi0 + h * (gi1 + 2*gi2 + 2*gi3 + dgi) / 6
        yi = yi0 + h * (yi1 + 2*yi2 + 2*yi3 + dyi) / 6
        if (refr > 0) {
            vm = v_reset
        } else if (vm >= v_spike) {
            vm = v_reset
            wa = wa + b
            refr = floor(tau_refrac / grid + 0.5)
            if (refr > 0) {
                refr = refr + 1
            }
            fired = 1
        }
    }
    if (refr > 0) {
        refr = refr - 1
    }
}

NET_RECEIVE(w, receptor, syn, U, tau_rec (ms), tau_facil (ms), tau_psc (ms), u0, su, sx, sy, tlast (ms)) {
    LOCAL weff
    INITIAL {
        : without this block finitialize would zero weight[1..] (receptor, synapse parameters)
        su = u0
        sx = syn_start_x(syn, sy)
        sy = syn_start_y(syn, sy)
        tlast = 0
    }
    if (flag == 1) {
        advance()
        if (fired > 0) {
            net_send(0.7499 * grid, 2)  : just before the grid time, so a run ending there sees it
        }
        net_send(grid, 1)
    } else if (flag == 2) {
        net_event(t)
    } else if (receptor > 1.5) {
        i_inj = i_inj + w
    } else {
        weff = w
        if (syn > 0) {
            : short-term dynamics or stochastic release (pynn_synapse.inc)
            weff = syn_release(syn, w, U, tau_rec, tau_facil, tau_psc, u0, su, sx, sy, tlast)
            su = syn_u
            sx = syn_x
            sy = syn_y
            tlast = t
        }
        if (receptor > 0.5) {
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

INCLUDE "pynn_synapse.inc"
