COMMENT
pynn_uni's spike source: re-emits every event it receives, at the time it receives it.
The backend queues a source's spike times (SpikeSourceArray, or Poisson times drawn with
numpy from per-cell seeded streams) as events on one NetCon into this cell; the cell's
outgoing NetCons then carry them to the targets with their own weights and delays.
A feed NetCon has weight 0; the backend sets 1 on a feed it retires with events still
queued (a run cut short by Ctrl-C), whose events are then ignored.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PynnRelay
}

NET_RECEIVE(w) {
    if (w == 0) {
        net_event(t)
    }
}
