COMMENT
The smallest threshold / reset / refractory point process for a one-compartment integrate-
and-fire cell written in plain NEURON (benchmarks/va_coba_neuron_plain.py), written for
pynn_uni's benchmarks.  When v crosses vth (a WATCH, checked by NEURON every step) it emits
a spike (net_event: it is the NetCon source of the cell) and clamps v to vreset for trefrac
ms with a large conductance (implicit Euler then holds v at vreset).
ENDCOMMENT

NEURON {
    POINT_PROCESS ThreshReset
    RANGE vth, vreset, trefrac, gon
    NONSPECIFIC_CURRENT i
}

UNITS {
    (mV) = (millivolt)
    (nA) = (nanoamp)
    (uS) = (microsiemens)
}

PARAMETER {
    vth = -50 (mV)
    vreset = -60 (mV)
    trefrac = 5 (ms)
    gon = 1e4 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
}

INITIAL {
    g = 0
    net_send(0, 1)
}

BREAKPOINT {
    i = g * (v - vreset)
}

NET_RECEIVE(w) {
    if (flag == 1) {
        WATCH (v > vth) 2
    } else if (flag == 2) {
        net_event(t)
        g = gon
        net_send(trefrac, 3)
    } else if (flag == 3) {
        g = 0
    }
}
