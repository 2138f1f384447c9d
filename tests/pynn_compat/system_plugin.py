"""pytest plugin for ``test_pynn_system.py``'s subprocess: lets PyNN's ``test_neuron.py`` see
NEURON when ``pyNN.neuron`` (the alias of ``pynn_uni.neuron``) imports.

PyNN's module-level check also imports ``pyNN.neuron.cells._new_property`` (a private PyNN
helper) and the third-party ``nrnutils``; only ``test_record_native_model``, which PyNN skips
itself, uses them.  Without this plugin the public-API tests there would be skipped as
"neuron not available".  The test file itself is not changed.
"""

import sys


def pytest_collection_modifyitems(items):
    for item in items:
        module = getattr(item, "module", None)
        if (
            module is not None
            and module.__name__.rpartition(".")[2] == "test_neuron"
            and getattr(module, "have_neuron", True) is False
            and "pyNN.neuron" in sys.modules
        ):
            module.have_neuron = True
