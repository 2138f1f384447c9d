"""The compile pipeline: pure, vectorised functions from the network description to what
the chip needs, each returning data that the mapping report shows (spec section 3b)."""
