COMMENT
pynn_uni's integrate-and-fire cell for cells whose inputs are all static synapses, written
for pynn_uni: the cell of pynn_if.mod (pynn_if_cell.inc, see there for the update order,
receptors and spike emission) with NET_RECEIVE(w, receptor) instead of PynnIF's 24
arguments, so each NetCon onto it carries 2 weight slots (16 bytes) instead of 24 (192
bytes).  The backend makes IF cells PynnIFStatic and turns a population into PynnIF when a
short-term, stochastic or plastic projection onto it is created (see ../backend.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS PynnIFStatic
    RANGE cm, tau_m, v_rest, v_reset, v_thresh, tau_refrac, i_offset
    RANGE tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, cond, alpha, delta, grid, nsub, v_init, i_inj
    RANGE vm, ge, ye, gi, yi, refr, isyn_exc, isyn_inh, spk
    RANGE dv, dge, dye, dgi, dyi
    RANGE tau_sfa, e_rev_sfa, q_sfa, tau_rr, e_rev_rr, q_rr, gs, gr
    RANGE ac_on, ac_amp, ac_offset, ac_freq, ac_phase, ac_start, ac_stop
    RANGE noise_on, noise_mean, noise_std, noise_dt, noise_start, noise_stop, i_noise, i_wave
    RANGE i_ac, i_nz
    RANDOM noise_rng
}

INCLUDE "pynn_if_cell.inc"

NET_RECEIVE(w, receptor) {
    INITIAL {
        : present so that finitialize keeps weight[1] (the receptor) as set
        receptor = receptor
    }
    if (flag == 1) {
        : never sent: its net_event makes nocmodl register the cell as a spike source;
        : onestep() sends the spikes
        net_event(t)
    } else if (receptor > 1.5) {
        i_inj = i_inj + w
    } else {
        deposit(w, receptor)
    }
}
