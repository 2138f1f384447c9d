"""Exception classes of pynn_uni.

Every class keeps PyNN's name where PyNN has one and subclasses the builtin that user
code already catches (an invalid value is a ``ValueError``, an unknown parameter a
``KeyError``), so ``except ValueError`` keeps working after a port.  Messages name the
offending population, projection, parameter or value and what was expected.
"""

from __future__ import annotations


class InvalidParameterValueError(ValueError):
    """A parameter was given a value of the wrong type, unit or range."""


class NonExistentParameterError(KeyError):
    """A parameter name that the model does not have."""

    def __init__(self, parameter_name, model_name, valid_parameter_names=()):
        self.parameter_name = parameter_name
        self.model_name = model_name
        self.valid_parameter_names = sorted(valid_parameter_names)
        super().__init__(parameter_name)

    def __str__(self):
        return (
            f"{self.model_name!s} has no parameter {self.parameter_name!r}. "
            f"Valid parameter names: {', '.join(self.valid_parameter_names) or '(none)'}"
        )


class InvalidDimensionsError(ValueError):
    """Array shapes that do not match (population size, pre x post, ...)."""


class ConnectionError(Exception):  # noqa: A001 - PyNN's name, shadows the builtin on purpose
    """A connection could not be made (bad weight sign, bad delay, ...)."""


class InvalidModelError(Exception):
    """A model that cannot be used where it was used."""


class NoModelAvailableError(Exception):
    """The backend has no native model for this standard model."""


class RoundingWarning(Warning):
    """A value was rounded to the simulator's resolution."""


class NothingToWriteError(IOError):
    """``write_data``/``end`` was asked to write data that were never recorded."""


class InvalidWeightError(ConnectionError, ValueError):
    """A weight of the wrong sign for its receptor, or otherwise unusable.

    Also a ``ConnectionError``, which is what PyNN raises for a wrong sign."""


class NotLocalError(Exception):
    """A cell that lives on another MPI rank was touched."""


class RecordingError(Exception):
    """A variable that this cell type cannot record; ``owner`` (e.g. the population's
    label and the call) is put in front of the message when given."""

    def __init__(self, variable, cell_type, owner=None):
        self.variable = variable
        self.cell_type = cell_type
        self.owner = owner
        super().__init__(variable, cell_type)

    def __str__(self):
        recordable = getattr(self.cell_type, "recordable", None)
        hint = f" (recordable: {', '.join(recordable)})" if recordable else ""
        name = getattr(self.cell_type, "__name__", None) or type(self.cell_type).__name__
        where = f"{self.owner}: " if self.owner else ""
        return f"{where}{name} cannot record {self.variable!r}{hint}"


class CapabilityError(Exception):
    """The backend cannot do what was asked; raised before anything runs."""


class NotSupportedError(CapabilityError, NotImplementedError):
    """A model, synapse, source or feature that this backend does not declare."""


class CapacityError(CapabilityError, ValueError):
    """A network that exceeds a backend limit (neurons, fan-in, delay range, ...)."""


class ResourceLimitError(CapacityError, MemoryError):
    """A request whose memory or work would exceed the machine, refused before allocation;
    the message gives the estimate."""


class SimulationNotSetUpError(RuntimeError):
    """An API call that needs ``setup()`` first."""


class StaleObjectError(RuntimeError):
    """An object (population, view, assembly, ID, projection, current source) used after
    ``end()`` or a new ``setup()`` finished the simulation it belongs to.  Its ids would
    otherwise address the new simulation's cells; recorded data stay readable."""


class BackendMismatchError(RuntimeError):
    """A call through one backend's module (``pynn_uni.nest``) while the current simulation
    was set up through another's (``pynn_uni.neuron``)."""


class DataFileError(OSError):
    """A data file that cannot be written or read (``write_data``, ``record(to_file=...)``,
    connection and position files); the message names the path.  Recorded data are kept."""


class DataFileFormatError(DataFileError, ValueError):
    """A file name whose extension names no supported format.  Also a ``ValueError``, which
    is what an unsupported extension raised before (and what PyNN raises)."""
