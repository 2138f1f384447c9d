COMMENT
pynn_uni's Izhikevich (2003) neuron, written for pynn_uni, updated as NEST's izhikevich
(consistent integration): once per time step, v and u by forward Euler from their values
at the start of the step, on the same self-event grid as PynnIF (see pynn_if.mod).
Synaptic input is a jump of v by the weight (mV), which NEST adds at the end of the step
in which it arrives (after the Euler update, before the threshold test and the recording):
the backend shortens each NetCon delay by 0.6 step so that the event lands between this
cell's update and NEURON's recording of that step; a jump that reaches v_thresh fires at
the step's end, 0.6 step later.
Currents (i_offset, and the DC/step sources' i_inj) are in nA and, as in NEST's model and
PyNN's NEST backend, enter dv/dt (mV/ms) as 1000 * I: 0.001 nA adds 1 mV/ms.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PynnIzh
    RANGE a, b, c, d, i_offset, v_thresh, grid, v_init, u_init, vm, u, i_inj
    RANDOM syn_rng
    RANGE syn_u, syn_x, syn_y
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
}

PARAMETER {
    a = 0.02 (/ms)
    b = 0.2 (/ms)
    c = -65 (mV)
    d = 2 (mV/ms)
    i_offset = 0 (nA)
    v_thresh = 30 (mV)
    grid = 0.1 (ms)
    v_init = -70 (mV)
    u_init = -14 (mV/ms)
}

ASSIGNED {
    vm (mV)
    u (mV/ms)
    i_inj (nA)
    syn_u
    syn_x
    syn_y
}

INITIAL {
    vm = v_init
    u = u_init
    i_inj = 0
    net_send(0.25 * grid, 1)
}

NET_RECEIVE(w, receptor, syn, U, tau_rec (ms), tau_facil (ms), tau_psc (ms), u0, su, sx, sy, tlast (ms)) {
    LOCAL v_old, u_old, weff
    INITIAL {
        : without this block finitialize would zero weight[1..] (receptor, synapse parameters)
        su = u0
        sx = syn_start_x(syn, sy)
        sy = syn_start_y(syn, sy)
        tlast = 0
    }
    if (flag == 1) {
        v_old = vm
        u_old = u
        vm = v_old + grid * (0.04 * v_old * v_old + 5 * v_old + 140 - u_old + 1000 * (i_offset + i_inj))
        u = u_old + grid * a * (b * v_old - u_old)
        if (vm >= v_thresh) {
            vm = c
            u = u + d
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
        vm = vm + weff
        if (vm >= v_thresh) {
            vm = c
            u = u + d
            net_send(0.5999 * grid, 2)  : just before the grid time (see above)
        }
    }
}

INCLUDE "pynn_synapse.inc"
