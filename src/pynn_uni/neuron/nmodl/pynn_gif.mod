COMMENT
pynn_uni's generalised integrate-and-fire neuron with escape noise, GIF_cond_exp (Mensi et
al. 2012; Pozzorini et al. 2015), written for pynn_uni.  Units: mV, ms, nF, nA, uS.

Same self-event clock as PynnIF (see pynn_if.mod) and NEST's gif_cond_exp update order.
Step k (from k*grid to (k+1)*grid):
  1. i_eta = sum of the eta kernels and v_t = v_t_star + sum of the gamma kernels, as they
     stand at the start of the step (held for the whole step, and recorded); then every
     kernel decays by exp(-grid / tau);
  2. v, ge, gi advance with nsub Runge-Kutta-4 substeps (each at most a tenth of the fastest
     of tau_m, tau_syn and the membrane's effective time constant); v is frozen while
     refractory;
  3. a free cell fires with probability 1 - exp(-lambda grid), lambda = lambda0 exp((v -
     v_t) / delta_v), drawn from its own Random123 stream (ids: seed, gid, 0 -- the backend
     sets the rng seed and the cell's global id; every finitialize restarts the stream, so
     reset() replays it); a spike adds a_eta_j to eta_j and a_gamma_j to gamma_j and makes
     the cell refractory for round(tau_refrac / grid) steps.  As in NEST 3.10, v keeps its
     value at the spike and is set to v_reset at the end of each refractory step (with
     tau_refrac < grid / 2, where NEST would never reset v, v is reset at once).
Up to 6 kernels of each kind (tau_eta1..6, a_eta1..6; tau_gamma1..6, a_gamma1..6); the
translation (translations.gif_kernels) pads unused ones with a = 0.  lambda0 in Hz (1/s).
NET_RECEIVE(w, receptor, ...): 0 excitatory, 1 inhibitory (uS); 2 a step of i_inj by w (nA);
the further slots give a connection short-term dynamics or stochastic release
(pynn_synapse.inc).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PynnGIF
    RANGE cm, tau_m, v_rest, v_reset, tau_refrac, i_offset, tau_syn_E, tau_syn_I
    RANGE e_rev_E, e_rev_I, delta_v, v_t_star, lambda0, grid, v_init, seed, gid
    RANGE tau_eta1, tau_eta2, tau_eta3, tau_eta4, tau_eta5, tau_eta6
    RANGE a_eta1, a_eta2, a_eta3, a_eta4, a_eta5, a_eta6
    RANGE tau_gamma1, tau_gamma2, tau_gamma3, tau_gamma4, tau_gamma5, tau_gamma6
    RANGE a_gamma1, a_gamma2, a_gamma3, a_gamma4, a_gamma5, a_gamma6
    RANGE vm, ge, gi, i_eta, v_t, refr, i_inj, nsub
    RANDOM spike_rng, syn_rng
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
    tau_refrac = 4 (ms)
    i_offset = 0 (nA)
    tau_syn_E = 5 (ms)
    tau_syn_I = 5 (ms)
    e_rev_E = 0 (mV)
    e_rev_I = -70 (mV)
    delta_v = 0.5 (mV)
    v_t_star = -48 (mV)
    lambda0 = 1 (/s)
    grid = 0.1 (ms)
    v_init = -65 (mV)
    seed = 0
    gid = 0
    tau_eta1 = 1 (ms)
    tau_eta2 = 1 (ms)
    tau_eta3 = 1 (ms)
    tau_eta4 = 1 (ms)
    tau_eta5 = 1 (ms)
    tau_eta6 = 1 (ms)
    a_eta1 = 0 (nA)
    a_eta2 = 0 (nA)
    a_eta3 = 0 (nA)
    a_eta4 = 0 (nA)
    a_eta5 = 0 (nA)
    a_eta6 = 0 (nA)
    tau_gamma1 = 1 (ms)
    tau_gamma2 = 1 (ms)
    tau_gamma3 = 1 (ms)
    tau_gamma4 = 1 (ms)
    tau_gamma5 = 1 (ms)
    tau_gamma6 = 1 (ms)
    a_gamma1 = 0 (mV)
    a_gamma2 = 0 (mV)
    a_gamma3 = 0 (mV)
    a_gamma4 = 0 (mV)
    a_gamma5 = 0 (mV)
    a_gamma6 = 0 (mV)
}

ASSIGNED {
    vm (mV)
    ge (uS)
    gi (uS)
    i_eta (nA)
    v_t (mV)
    i_inj (nA)
    refr
    nsub
    eta[6] (nA)
    gam[6] (mV)
    dv
    dge
    dgi
    syn_u
    syn_x
    syn_y
}

INITIAL {
    LOCAL j
    vm = v_init
    ge = 0
    gi = 0
    i_eta = 0
    v_t = v_t_star
    i_inj = 0
    refr = 0
    FROM j = 0 TO 5 {
        eta[j] = 0
        gam[j] = 0
    }
    random_setids(spike_rng, seed, gid, 0)
    random_setseq(spike_rng, 0)
    net_send(0.25 * grid, 1)
}

PROCEDURE kernels() {
    : step 1: the sums used during this step, then the decay to the next step's start
    i_eta = eta[0] + eta[1] + eta[2] + eta[3] + eta[4] + eta[5]
    v_t = v_t_star + gam[0] + gam[1] + gam[2] + gam[3] + gam[4] + gam[5]
    eta[0] = eta[0] * exp(-grid / tau_eta1)
    eta[1] = eta[1] * exp(-grid / tau_eta2)
    eta[2] = eta[2] * exp(-grid / tau_eta3)
    eta[3] = eta[3] * exp(-grid / tau_eta4)
    eta[4] = eta[4] * exp(-grid / tau_eta5)
    eta[5] = eta[5] * exp(-grid / tau_eta6)
    gam[0] = gam[0] * exp(-grid / tau_gamma1)
    gam[1] = gam[1] * exp(-grid / tau_gamma2)
    gam[2] = gam[2] * exp(-grid / tau_gamma3)
    gam[3] = gam[3] * exp(-grid / tau_gamma4)
    gam[4] = gam[4] * exp(-grid / tau_gamma5)
    gam[5] = gam[5] * exp(-grid / tau_gamma6)
}

PROCEDURE fire() {
    : a spike: the kernels jump by their amplitudes
    eta[0] = eta[0] + a_eta1
    eta[1] = eta[1] + a_eta2
    eta[2] = eta[2] + a_eta3
    eta[3] = eta[3] + a_eta4
    eta[4] = eta[4] + a_eta5
    eta[5] = eta[5] + a_eta6
    gam[0] = gam[0] + a_gamma1
    gam[1] = gam[1] + a_gamma2
    gam[2] = gam[2] + a_gamma3
    gam[3] = gam[3] + a_gamma4
    gam[4] = gam[4] + a_gamma5
    gam[5] = gam[5] + a_gamma6
}

PROCEDURE deriv(vv, gee, gii, frozen) {
    dge = -gee / tau_syn_E
    dgi = -gii / tau_syn_I
    if (frozen > 0) {
        dv = 0
    } else {
        dv = ((v_rest - vv) * cm / tau_m + gee * (e_rev_E - vv) + gii * (e_rev_I - vv) + i_offset + i_inj - i_eta) / cm
    }
}

PROCEDURE advance() {
    LOCAL h, k, frozen, fastest, v0, ge0, gi0, v1, ge1, gi1, v2, ge2, gi2, v3, ge3, gi3
    frozen = (refr > 0)
    fastest = cm / (cm / tau_m + ge + gi)
    if (tau_syn_E < fastest) {
        fastest = tau_syn_E
    }
    if (tau_syn_I < fastest) {
        fastest = tau_syn_I
    }
    nsub = ceil(10 * grid / fastest - 1e-9)
    if (nsub < 1) {
        nsub = 1
    }
    h = grid / nsub
    FROM k = 1 TO nsub {
        v0 = vm
        ge0 = ge
        gi0 = gi
        deriv(v0, ge0, gi0, frozen)
        v1 = dv
        ge1 = dge
        gi1 = dgi
        deriv(v0 + 0.5*h*v1, ge0 + 0.5*h*ge1, gi0 + 0.5*h*gi1, frozen)
        v2 = dv
        ge2 = dge
        gi2 = dgi
        deriv(v0 + 0.5*h*v2, ge0 + 0.5*h*ge2, gi0 + 0.5*h*gi2, frozen)
        v3 = dv
        ge3 = dge
        gi3 = dgi
        deriv(v0 + h*v3, ge0 + h*ge3, gi0 + h*gi3, frozen)
        vm = v0 + h * (v1 + 2*v2 + 2*v3 + dv) / 6
        ge = ge0 + h * (ge1 + 2*ge2 + 2*ge3 + dge) / 6
        gi = gi0 + h * (gi1 + 2*gi2 + 2*gi3 + dgi) / 6
    }
}

FUNCTION escape() {
    : probability of a spike in this step (0 for lambda0 = 0); the exponent is capped so
    : that exp cannot overflow (the probability is 1 long before)
    LOCAL x
    x = (vm - v_t) / delta_v
    if (x > 700) {
        x = 700
    }
    escape = 1 - exp(-0.001 * lambda0 * exp(x) * grid)
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
        kernels()
        advance()
        if (refr > 0) {
            refr = refr - 1
            vm = v_reset
        } else if (random_uniform(spike_rng) < escape()) {
            fire()
            refr = floor(tau_refrac / grid + 0.5)
            if (refr < 1) {
                vm = v_reset
            }
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
