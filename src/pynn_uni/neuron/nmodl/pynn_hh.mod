COMMENT
pynn_uni's single-compartment Hodgkin-Huxley neuron with Traub & Miles (1991) kinetics and
exponential synaptic conductances (HH_cond_exp), written for pynn_uni.
Units: mV, ms, nF, nA, uS.

Same time grid as PynnIF (see pynn_if.mod), nsub Runge-Kutta-4 substeps per step.  There
is no reset: as in NEST's hh_cond_exp_traub, a spike is emitted at the end of a step when
v >= v_offset + 30 mV and v fell during that step (the peak just passed), and no further
spike for tau_refrac (2 ms, NEST's default) afterwards; the dynamics run on untouched.
NET_RECEIVE(w, receptor, ...): 0 excitatory, 1 inhibitory (uS); 2 a step of i_inj by w (nA);
the further slots give a connection short-term dynamics or stochastic release
(pynn_synapse.inc).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PynnHH
    RANGE gbar_Na, gbar_K, g_leak, cm, v_offset, e_rev_Na, e_rev_K, e_rev_leak
    RANGE e_rev_E, e_rev_I, tau_syn_E, tau_syn_I, i_offset, tau_refrac
    RANGE grid, nsub, v_init, m_init, h_init, n_init, i_inj
    RANGE vm, m, h, n, ge, gi, refr
    RANGE dv, dm, dh, dn, dge, dgi
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
    gbar_Na = 20 (uS)
    gbar_K = 6 (uS)
    g_leak = 0.01 (uS)
    cm = 0.2 (nF)
    v_offset = -63 (mV)
    e_rev_Na = 50 (mV)
    e_rev_K = -90 (mV)
    e_rev_leak = -65 (mV)
    e_rev_E = 0 (mV)
    e_rev_I = -80 (mV)
    tau_syn_E = 0.2 (ms)
    tau_syn_I = 2 (ms)
    i_offset = 0 (nA)
    tau_refrac = 2 (ms)
    grid = 0.1 (ms)
    nsub = 10
    v_init = -65 (mV)
    m_init = 0
    h_init = 1
    n_init = 0
}

ASSIGNED {
    i_inj (nA)
    vm (mV)
    m
    h
    n
    ge
    gi
    refr
    dv
    dm
    dh
    dn
    dge
    dgi
    syn_u
    syn_x
    syn_y
}

INITIAL {
    vm = v_init
    m = m_init
    h = h_init
    n = n_init
    ge = 0
    gi = 0
    refr = 0
    i_inj = 0
    net_send(0.25 * grid, 1)
}

PROCEDURE deriv(vv, mm, hh, nn, gee, gii) {
    LOCAL u, am, bm, ah, bh, an, bn, n2
    u = vv - v_offset
    an = 0.032 * (15 - u) / (exp((15 - u) / 5) - 1)
    bn = 0.5 * exp((10 - u) / 40)
    am = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1)
    bm = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1)
    ah = 0.128 * exp((17 - u) / 18)
    bh = 4 / (1 + exp((40 - u) / 5))
    n2 = nn * nn
    dv = (-gbar_Na * mm * mm * mm * hh * (vv - e_rev_Na) - gbar_K * n2 * n2 * (vv - e_rev_K) - g_leak * (vv - e_rev_leak) - gee * (vv - e_rev_E) - gii * (vv - e_rev_I) + i_offset + i_inj) / cm
    dm = am * (1 - mm) - bm * mm
    dh = ah * (1 - hh) - bh * hh
    dn = an * (1 - nn) - bn * nn
    dge = -gee / tau_syn_E
    dgi = -gii / tau_syn_I
}

PROCEDURE advance() {
    LOCAL s, k, v0, m0, h0, n0, ge0, gi0, v1, m1, h1, n1, ge1, gi1, v2, m2, h2, n2, ge2, gi2, v3, m3, h3, n3, ge3, gi3
    s = grid / nsub
    FROM k = 1 TO nsub {
        v0 = vm
        m0 = m
        h0 = h
        n0 = n
        ge0 = ge
        gi0 = gi
        deriv(v0, m0, h0, n0, ge0, gi0)
        v1 = dv
        m1 = dm
        h1 = dh
        n1 = dn
        ge1 = dge
        gi1 = dgi
        deriv(v0 + 0.5*s*v1, m0 + 0.5*s*m1, h0 + 0.5*s*h1, n0 + 0.5*s*n1, ge0 + 0.5*s*ge1, gi0 + 0.5*s*gi1)
        v2 = dv
        m2 = dm
        h2 = dh
        n2 = dn
        ge2 = dge
        gi2 = dgi
        deriv(v0 + 0.5*s*v2, m0 + 0.5*s*m2, h0 + 0.5*s*h2, n0 + 0.5*s*n2, ge0 + 0.5*s*ge2, gi0 + 0.5*s*gi2)
        v3 = dv
        m3 = dm
        h3 = dh
        n3 = dn
        ge3 = dge
        gi3 = dgi
        deriv(v0 + s*v3, m0 + s*m3, h0 + s*h3, n0 + s*n3, ge0 + s*ge3, gi0 + s*gi3)
        vm = v0 + s * (v1 + 2*v2 + 2*v3 + dv) / 6
        m = m0 + s * (m1 + 2*m2 + 2*m3 + dm) / 6
        h = h0 + s * (h1 + 2*h2 + 2*h3 + dh) / 6
        n = n0 + s * (n1 + 2*n2 + 2*n3 + dn) / 6
        ge = ge0 + s * (ge1 + 2*ge2 + 2*ge3 + dge) / 6
        gi = gi0 + s * (gi1 + 2*gi2 + 2*gi3 + dgi) / 6
    }
}

NET_RECEIVE(w, receptor, syn, U, tau_rec (ms), tau_facil (ms), tau_psc (ms), u0, su, sx, sy, tlast (ms)) {
    LOCAL v_old, weff
    INITIAL {
        : without this block finitialize would zero weight[1..] (receptor, synapse parameters)
        su = u0
        sx = syn_start_x(syn, sy)
        sy = syn_start_y(syn, sy)
        tlast = 0
    }
    if (flag == 1) {
        v_old = vm
        advance()
        if (refr > 0) {
            refr = refr - 1
        } else if (vm >= v_offset + 30 && v_old > vm) {
            refr = floor(tau_refrac / grid + 0.5)
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
            gi = gi + weff
        } else {
            ge = ge + weff
        }
    }
}

INCLUDE "pynn_synapse.inc"
