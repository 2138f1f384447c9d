"""Software emulation of the chip: its fixed-pattern noise, calibration and dynamics."""
