COMMENT
pynn_uni's composed point neuron (PyNN's PointNeuron: a LIF or AdExp membrane plus named
receptors), written for pynn_uni.  Units: mV, ms, nF, nA, uS (a in nS).

The membrane is PynnAdEx's (see pynn_adex.mod: the same grid, self-event per step, RK4
substeps with the spike test after each, refractory clamp); LIF is the case delta_T = 0,
a = b = 0, v_spike = v_thresh.  Up to 10 receptors, receptor r with
    g' = y - g / tau_decay,  y' = -y / tau_rise
(tau_rise = 0: exponential, an input adds its weight to g; tau_rise = tau_decay: alpha;
otherwise beta, the difference of exponentials) and an input adding weight * norm[r] to y,
norm[r] making the peak of g equal to the weight.  The receptors are linear and uncoupled
from v, so within a substep g is evaluated exactly (gsyn) while v and w take RK4 steps.
cond = 1: g is a conductance (uS) with reversal potential e_syn[r]; cond = 0: g is a current
(nA) added to the membrane.
NET_RECEIVE(w, receptor, ...): receptor 10 + r a spike onto receptor r; 2 a step of i_inj
by w (nA); the further slots give a connection short-term dynamics or stochastic release
(pynn_synapse.inc).
ENDCOMMENT

DEFINE NR 10

NEURON {
    ARTIFICIAL_CELL PynnPoint
    RANGE cm, tau_m, v_rest, v_reset, v_thresh, v_spike, delta_T, a, b, tau_w
    RANGE tau_refrac, i_offset, cond, nrec, grid, nsub, v_init, w_init, i_inj
    RANGE tau_decay, tau_rise, e_syn, norm, g, y
    RANGE vm, wa, refr
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
    cm = 1 (nF)
    tau_m = 20 (ms)
    v_rest = -65 (mV)
    v_reset = -65 (mV)
    v_thresh = -50 (mV)
    v_spike = -50 (mV)
    delta_T = 0 (mV)
    a = 0 : nS
    b = 0 (nA)
    tau_w = 144 (ms)
    tau_refrac = 0.1 (ms)
    i_offset = 0 (nA)
    cond = 1
    nrec = 0
    grid = 0.1 (ms)
    nsub = 10
    v_init = -65 (mV)
    w_init = 0 (nA)
    tau_decay[NR] (ms)
    tau_rise[NR] (ms)
    e_syn[NR] (mV)
    norm[NR]
}

ASSIGNED {
    i_inj (nA)
    vm (mV)
    wa (nA)
    g[NR]
    y[NR]
    refr
    fired
    dv
    dw
    syn_u
    syn_x
    syn_y
}

INITIAL {
    LOCAL r
    vm = v_init
    wa = w_init
    FROM r = 0 TO NR - 1 {
        g[r] = 0
        y[r] = 0
    }
    refr = 0
    i_inj = 0
    net_send(0.25 * grid, 1)
}

FUNCTION gsyn(r, s (ms)) {
    : receptor r's g at offset s into the substep (exact)
    LOCAL td, tr
    td = tau_decay[r]
    tr = tau_rise[r]
    gsyn = g[r] * exp(-s / td)
    if (tr > 0) {
        if (fabs(tr - td) < 1e-9 * td) {
            gsyn = gsyn + y[r] * s * exp(-s / td)
        } else {
            gsyn = gsyn + y[r] * (exp(-s / td) - exp(-s / tr)) / (1 / tr - 1 / td)
        }
    }
}

FUNCTION isyn(vv (mV), s (ms)) {
    : the total synaptic current (nA) at offset s, for membrane potential vv
    LOCAL r
    isyn = 0
    FROM r = 0 TO nrec - 1 {
        if (cond > 0) {
            isyn = isyn + gsyn(r, s) * (e_syn[r] - vv)
        } else {
            isyn = isyn + gsyn(r, s)
        }
    }
}

PROCEDURE deriv(vv, ww, s (ms)) {
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
        dv = (-gl * (v - v_rest) + spike + isyn(v, s) - ww + i_offset + i_inj) / cm
    }
    dw = (0.001 * a * (v - v_rest) - ww) / tau_w
}

PROCEDURE decay(s (ms)) {
    : every receptor moves on by s (exactly)
    LOCAL r, gnew
    FROM r = 0 TO nrec - 1 {
        gnew = gsyn(r, s)
        if (tau_rise[r] > 0) {
            y[r] = y[r] * exp(-s / tau_rise[r])
        }
        g[r] = gnew
    }
}

PROCEDURE advance() {
    LOCAL h, k, v0, w0, v1, w1, v2, w2, v3, w3
    h = grid / nsub
    fired = 0
    FROM k = 1 TO nsub {
        v0 = vm
        w0 = wa
        deriv(v0, w0, 0)
        v1 = dv
        w1 = dw
        deriv(v0 + 0.5*h*v1, w0 + 0.5*h*w1, 0.5*h)
        v2 = dv
        w2 = dw
        deriv(v0 + 0.5*h*v2, w0 + 0.5*h*w2, 0.5*h)
        v3 = dv
        w3 = dw
        deriv(v0 + h*v3, w0 + h*w3, h)
        vm = v0 + h * (v1 + 2*v2 + 2*v3 + dv) / 6
        wa = w0 + h * (w1 + 2*w2 + 2*w3 + dw) / 6
        decay(h)
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
    LOCAL weff, r
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
    } else if (receptor > 1.5 && receptor < 2.5) {
        i_inj = i_inj + w
    } else if (receptor > 9.5) {
        weff = w
        if (syn > 0) {
            : short-term dynamics or stochastic release (pynn_synapse.inc)
            weff = syn_release(syn, w, U, tau_rec, tau_facil, tau_psc, u0, su, sx, sy, tlast)
            su = syn_u
            sx = syn_x
            sy = syn_y
            tlast = t
        }
        r = floor(receptor - 10 + 0.5)
        if (tau_rise[r] > 0) {
            y[r] = y[r] + weff * norm[r]
        } else {
            g[r] = g[r] + weff
        }
    }
}

INCLUDE "pynn_synapse.inc"
