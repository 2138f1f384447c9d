"""Parameter values and parameter spaces (PyNN's ``pyNN.parameters`` module path).

A parameter may be given as a scalar, an array with one value per cell (or per connection), a
function of the cell index, a random distribution, or a value that is itself an array (spike
times, GIF time constants).  The last kind is wrapped in :class:`ArrayParameter` /
:class:`Sequence` so that "one value that is an array" is never confused with "an array of
values, one per cell".  :class:`ParameterSpace` holds such values lazily until the shape (the
population size, or pre x post for a projection) is known, then :meth:`ParameterSpace.evaluate`
turns them into numpy arrays in one vectorised pass.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import quantities as pq

from pynn_uni._lazyarray import VectorizedIterable, larray
from pynn_uni.common.expressions import DistanceExpression
from pynn_uni.common.units import is_number, to_canonical
from pynn_uni.errors import (
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)

__all__ = [
    "ArrayParameter",
    "DistanceExpression",
    "IonicSpecies",
    "LazyArray",
    "ParameterSpace",
    "Sequence",
    "is_random",
    "simplify",
]


# ---------------------------------------------------------------------------------------------
#   Array-valued parameters
# ---------------------------------------------------------------------------------------------


class ArrayParameter:
    """One parameter value that is itself an array (e.g. GIF ``tau_eta = [1, 10, 100]`` ms).

    Arithmetic with a scalar applies to every element and returns a new object of the same
    class; arithmetic with an array ``a`` broadcasts per element of ``a`` and returns an object
    array whose item ``i`` is ``self op a[i]`` (one array value per cell).  numpy never treats an
    ArrayParameter as an array of numbers (it is a scalar to numpy and to lazyarray).
    """

    is_lazyarray_scalar = True  # lazyarray: a single element, not an array of elements
    __array_ufunc__ = None  # numpy: defer ``ndarray op self`` to our reflected operators
    __hash__ = None

    def __init__(self, value: Any):
        if isinstance(value, ArrayParameter):
            value = value.value
        if isinstance(value, pq.Quantity):
            self.value = value  # keep the units until a ParameterSpace converts them
        elif isinstance(value, np.ndarray):
            self.value = value  # keep integer dtypes
        else:
            try:
                self.value = np.asarray(value, dtype=float)
            except (TypeError, ValueError) as err:
                raise InvalidParameterValueError(
                    f"{type(self).__name__} needs numbers, got {value!r}"
                ) from err

    def __len__(self) -> int:
        return int(self.value.size)

    def __iter__(self) -> Iterator:
        return iter(self.value)

    def max(self):
        """Largest element (e.g. the last spike time)."""
        return self.value.max()

    def _apply(self, other, op: Callable, reflected: bool = False):
        def one(x):
            return type(self)(op(x, self.value) if reflected else op(self.value, x))

        if isinstance(other, ArrayParameter):
            return one(other.value)
        if isinstance(other, (np.ndarray, list, tuple)) and np.ndim(other) > 0:
            return _object_array([one(x) for x in other])
        return one(other)

    def __add__(self, other):
        return self._apply(other, np.add)

    def __radd__(self, other):
        return self._apply(other, np.add, reflected=True)

    def __sub__(self, other):
        return self._apply(other, np.subtract)

    def __rsub__(self, other):
        return self._apply(other, np.subtract, reflected=True)

    def __mul__(self, other):
        return self._apply(other, np.multiply)

    def __rmul__(self, other):
        return self._apply(other, np.multiply, reflected=True)

    def __truediv__(self, other):
        return self._apply(other, np.true_divide)

    def __rtruediv__(self, other):
        return self._apply(other, np.true_divide, reflected=True)

    def __neg__(self):
        return type(self)(-self.value)

    def __eq__(self, other):
        if isinstance(other, ArrayParameter):
            return self.value.shape == other.value.shape and bool(np.all(self.value == other.value))
        if isinstance(other, np.ndarray) and other.dtype == object:
            return np.array([self == x for x in other.flat], dtype=bool).reshape(other.shape)
        return False

    def __ne__(self, other):
        result = self.__eq__(other)
        return ~result if isinstance(result, np.ndarray) else not result

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value.tolist()!r})"


class Sequence(ArrayParameter):
    """An ordered array of values for one cell: spike times, step-current times/amplitudes."""


def _object_array(items) -> np.ndarray:
    """A 1-D object array holding ``items`` as elements (numpy would otherwise unpack them)."""
    items = list(items)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _filled(shape: tuple, value) -> np.ndarray:
    arr = np.empty(shape, dtype=object)
    arr.fill(value)
    return arr


def simplify(value):
    """Collapse an array whose elements are all equal to that one element; pass anything else.

    Empty arrays are returned unchanged.
    """
    if isinstance(value, np.ndarray) and value.size > 0:
        first = value.flat[0]
        if bool(np.all(value == first)):
            return first
    return value


# ---------------------------------------------------------------------------------------------
#   Random distributions (duck-typed)
# ---------------------------------------------------------------------------------------------


def is_random(value) -> bool:
    """True for a random distribution: anything with a ``next(n)`` method that is not callable.

    Duck-typed so that ``pynn_uni.random.RandomDistribution`` and test doubles both qualify.
    """
    if isinstance(value, VectorizedIterable):
        return True
    if isinstance(value, (np.ndarray, ArrayParameter, larray, str, numbers.Number)):
        return False
    return hasattr(value, "next") and not callable(value)


def _parallel_safe(value) -> bool:
    return bool(getattr(getattr(value, "rng", None), "parallel_safe", True))


def _draw(dist, n: int) -> np.ndarray:
    values = np.asarray(dist.next(n)).reshape(-1)
    if values.size != n:
        raise InvalidDimensionsError(f"{dist!r}.next({n}) returned {values.size} values")
    return values


def with_private_generators(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with each random distribution drawing from its own copy of its generator.

    PyNN 0.13 evaluates cell-type parameters (constructor values and ``set()``) through a
    deep copy per parameter, so a seeded generator is never advanced by them and two
    parameters given the same distribution in one call get the same numbers (the next ones
    the generator would give).  Initial values and connectors draw from the generator itself.
    """
    out = {}
    for name, value in values.items():
        if isinstance(value, larray) and is_random(value.base_value):
            own = copy.copy(value)
            own.base_value = copy.deepcopy(value.base_value)
            own.operations = list(value.operations)
            value = own
        elif is_random(value) and hasattr(value, "rng"):
            value = copy.deepcopy(value)
        out[name] = value
    return out


# ---------------------------------------------------------------------------------------------
#   Lazy arrays
# ---------------------------------------------------------------------------------------------


def _partial_shape(addr, shape: tuple) -> tuple:
    """Shape of ``x[addr]`` for an array ``x`` of ``shape`` (numpy indexing rules)."""
    return np.broadcast_to(np.empty((), dtype=np.int8), shape)[addr].shape


class LazyArray(larray):
    """A lazily evaluated array of parameter values (:class:`lazyarray.larray` subclass).

    Besides what ``larray`` accepts (scalars, arrays, functions of the indices), the base value
    may be an :class:`ArrayParameter` (every element is that value), a random distribution
    (anything with ``next(n)``), ``None`` (not yet known: evaluates to NaN) or a string, which
    becomes a :class:`DistanceExpression`.  Parallel-safe random distributions are always
    drawn for the whole array and then masked, so a cell's value does not depend on which
    cells are local.
    """

    def __init__(self, value, shape: tuple | None = None, dtype=None):
        if isinstance(value, str):
            value = DistanceExpression(value)
        elif (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(x, ArrayParameter) for x in value)
        ):
            value = _object_array(value)
        if _is_array_type(dtype) and (callable(value) or is_random(value)):
            # lazyarray would try ``dtype(value)``: keep the function, remember the dtype
            super().__init__(value, shape, None)
            self.dtype = dtype
            return
        super().__init__(value, shape, dtype)

    @property
    def is_homogeneous(self) -> bool:
        """True if every element is the same value (so no per-cell array is needed)."""
        base = self.base_value
        homogeneous_base = base is None or isinstance(
            base, (numbers.Number, np.number, np.bool_, ArrayParameter)
        )
        return homogeneous_base and all(
            arg.is_homogeneous for _, arg in self.operations if isinstance(arg, larray)
        )

    def _require_shape(self) -> tuple:
        if self._shape is None:
            raise ValueError("the shape of this lazy array is not set yet")
        return self._shape

    def _numeric_dtype(self):
        return self.dtype if self.dtype in (float, int, bool) else None

    def _homogeneous(self, shape: tuple, simplify: bool):
        base = self.base_value
        if base is None:
            return np.nan if simplify else np.full(shape, np.nan)
        if simplify:
            return base
        if isinstance(base, ArrayParameter):
            return _filled(shape, base)
        return np.full(shape, base, dtype=self._numeric_dtype())

    def _call(self, func: Callable, indices: tuple, shape: tuple):
        """Call ``func`` on index arrays; fall back to one call per element if it is not
        vectorised (e.g. uses ``math.sin``)."""
        try:
            out = func(*indices)
        except (TypeError, ValueError):
            out = np.vectorize(func, otypes=[object])(*indices)
        if isinstance(out, (list, tuple)):
            out = (
                _object_array(out)
                if out and isinstance(out[0], ArrayParameter)
                else np.asarray(out)
            )
        if isinstance(out, ArrayParameter):
            if out.value.ndim > 1 and len(shape) == 1 and len(indices[0]) > 1:
                # f(i) -> Sequence written for one index, called with an array: once per cell
                return _object_array(func(int(i)) for i in indices[0])
            return _filled(shape, out)
        out = np.asarray(out)
        if out.dtype == object and out.size and not isinstance(out.flat[0], ArrayParameter):
            out = out.astype(float)
        if self._numeric_dtype() is not None and out.dtype != object:
            out = out.astype(self._numeric_dtype())
        if out.shape != shape:
            out = np.broadcast_to(out, shape).copy()
        return out

    def evaluate(self, simplify: bool = False, empty_val=0):
        """The values as a numpy array of the full shape (object array for ArrayParameters).

        With ``simplify=True`` a homogeneous array is returned as its single value.
        """
        base = self.base_value
        if self.is_homogeneous:
            x = self._homogeneous(None if simplify else self._require_shape(), simplify)
        elif isinstance(base, np.ndarray):
            x = base
        elif is_random(base):
            shape = self._require_shape()
            x = _draw(base, int(np.prod(shape))).reshape(shape)
        elif callable(base):
            shape = self._require_shape()
            x = self._call(base, tuple(np.indices(shape)), shape)
        else:
            return super().evaluate(simplify=simplify, empty_val=empty_val)
        return self._apply_operations(x, simplify=simplify)

    def _partially_evaluate(self, addr, simplify: bool = False):
        shape = self._require_shape()
        base = self.base_value
        if self.is_homogeneous:
            x = self._homogeneous(_partial_shape(addr, shape), simplify)
        elif isinstance(base, np.ndarray):
            x = base[addr]
        elif is_random(base):
            if _parallel_safe(base):  # draw for every cell, keep the addressed ones
                x = _draw(base, int(np.prod(shape))).reshape(shape)[addr]
            else:
                part = _partial_shape(addr, shape)
                x = _draw(base, int(np.prod(part))).reshape(part)
        elif callable(base):
            part = _partial_shape(addr, shape)
            x = self._call(base, tuple(np.atleast_1d(i) for i in self._array_indices(addr)), part)
            x = x.reshape(part)
        else:
            return super()._partially_evaluate(addr, simplify=simplify)
        return self._apply_operations(x, addr, simplify=simplify)

    def __float__(self) -> float:
        """The single value of a homogeneous array (``TypeError`` otherwise)."""
        if not self.is_homogeneous or isinstance(self.base_value, ArrayParameter):
            raise TypeError(f"cannot convert a non-homogeneous lazy array to float: {self!r}")
        return float(self.evaluate(simplify=True))

    def __setitem__(self, addr, new_value):
        """Set some elements; the array is materialised first unless nothing changes."""
        if self.is_homogeneous and is_number(new_value) and self.base_value == new_value:
            return
        values = np.array(self.evaluate(), copy=True)
        values[addr] = new_value
        self.base_value = values
        self.operations = []

    def by_column(self, mask=None):
        """Yield the columns of a 2-D array (``mask``: which columns, bool or indices).

        A parallel-safe random distribution is drawn column by column for *every* column, and
        only the masked ones are yielded, so values do not depend on the mask.
        """
        ncols = self.ncols
        selected = np.ones(ncols, dtype=bool)
        if mask is not None:
            selected = np.zeros(ncols, dtype=bool)
            selected[mask] = True
        base = self.base_value
        parallel_safe_random = is_random(base) and _parallel_safe(base)
        for j in range(ncols):
            if parallel_safe_random:
                column = _draw(base, self.nrows)
                if selected[j]:
                    yield self._apply_operations(column, (slice(None), j), simplify=True)
            elif selected[j]:
                yield self._partially_evaluate((slice(None), j), simplify=True)

    def __deepcopy__(self, memo):
        if is_random(self.base_value):  # share the generator: a copy would repeat its draws
            obj = copy.copy(self)
            obj.operations = copy.deepcopy(self.operations, memo)
            return obj
        return super().__deepcopy__(memo)


# ---------------------------------------------------------------------------------------------
#   Parameter spaces
# ---------------------------------------------------------------------------------------------


def _model_name(component) -> str:
    if component is None:
        return "unknown model"
    return getattr(component, "__name__", None) or type(component).__name__


def _values_equal(a, b) -> bool:
    if isinstance(a, larray) and isinstance(b, larray):
        if len(a.operations) != len(b.operations):
            return False
        for (fa, xa), (fb, xb) in zip(a.operations, b.operations, strict=True):
            if fa is not fb or not _values_equal(xa, xb):
                return False
        return a.shape == b.shape and _values_equal(a.base_value, b.base_value)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))
        except (TypeError, ValueError):
            return False
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class ParameterSpace:
    """Named parameter values for many cells (or connections), kept lazy until evaluated.

    ``parameters``: ``{name: value}`` where a value is anything :class:`LazyArray` accepts, a
    :class:`quantities.Quantity` (converted to the component's canonical unit), or, for an
    array-typed parameter, a list of numbers (one value for all cells) or a list of
    :class:`Sequence` (one per cell).  ``schema``: ``{name: type}``; when given, names and
    types are checked.  ``shape``: ``(n,)`` for a population, ``(n_pre, n_post)`` for a
    projection, or ``None`` until known.  ``component``: the model (class or instance) the
    values are for; it provides the units (``component.units``), the range checks
    (``component.check_parameter_value``) and the name used in error messages.

    A value of ``None`` (e.g. a synapse ``delay`` meaning "the minimum delay") is stored as a
    plain ``None``, not as a lazy array, and stays ``None`` when evaluated.
    """

    def __init__(
        self,
        parameters: Mapping[str, Any],
        schema: Mapping[str, type] | None = None,
        shape: tuple | None = None,
        component: Any = None,
    ):
        self._parameters: dict[str, Any] = {}
        self.schema = dict(schema) if schema is not None else None
        self._shape = tuple(shape) if shape is not None else None
        self.component = component
        self._evaluated = False
        self._evaluated_shape: tuple | None = None
        self.update(**parameters)

    # -- shape --------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple | None:
        """Shape of the lazy arrays: ``(n,)`` or ``(n_pre, n_post)``; settable until evaluated."""
        return self._shape

    @shape.setter
    def shape(self, shape: tuple | None) -> None:
        shape = tuple(shape) if shape is not None else None
        for name, value in self._parameters.items():
            if isinstance(value, larray):
                try:
                    value.shape = shape
                except ValueError as err:
                    raise InvalidDimensionsError(
                        f"{_model_name(self.component)}: parameter {name!r} has shape "
                        f"{value.shape}, cannot become {shape}"
                    ) from err
        self._shape = shape

    # -- dict-like access -----------------------------------------------------------------------
    def keys(self):
        return self._parameters.keys()

    def items(self):
        """(name, value) pairs; values are :class:`LazyArray` until :meth:`evaluate`."""
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def __getitem__(self, name: str):
        return self._parameters[name]

    def __setitem__(self, name: str, value) -> None:
        if self._evaluated or isinstance(value, larray):
            if isinstance(value, larray) and self._shape is not None:
                value.shape = self._shape
            self._parameters[name] = value
        else:
            self.update(**{name: value})

    def __contains__(self, name) -> bool:
        return name in self._parameters

    def pop(self, name: str, d=None):
        """Remove ``name`` (from the schema too) and return its value, or ``d``."""
        if self.schema is not None:
            self.schema.pop(name, None)
        return self._parameters.pop(name, d)

    def __repr__(self) -> str:
        return f"<ParameterSpace {', '.join(self.keys())}, shape={self._shape}>"

    def __eq__(self, other) -> bool:
        if not isinstance(other, ParameterSpace):
            return NotImplemented
        return (
            self.keys() == other.keys()
            and self._shape == other._shape
            and self.schema == other.schema
            and all(_values_equal(v, other._parameters[k]) for k, v in self.items())
        )

    __hash__ = None

    def __deepcopy__(self, memo):
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():  # the component is shared, not copied
            new.__dict__[key] = value if key == "component" else copy.deepcopy(value, memo)
        return new

    # -- updating -----------------------------------------------------------------------------
    def update(self, **parameters) -> None:
        """Add or replace values, converting and checking each against the schema."""
        for name, value in parameters.items():
            expected = None
            if self.schema is not None:
                if name not in self.schema:
                    raise NonExistentParameterError(
                        name, _model_name(self.component), self.schema.keys()
                    )
                expected = self.schema[name]
            value = self._prepare(name, value, expected)
            if value is None:  # "not set yet" (e.g. a default delay): kept as a plain None
                self._parameters[name] = None
                continue
            if isinstance(value, larray) and None not in (value.shape, self._shape):
                if tuple(value.shape) != self._shape:
                    raise InvalidDimensionsError(
                        f"{_model_name(self.component)}: parameter {name!r} has shape "
                        f"{value.shape}, expected {self._shape}"
                    )
            try:
                lazy = LazyArray(value, shape=self._shape, dtype=self._lazy_dtype(expected))
            except ValueError as err:
                raise InvalidDimensionsError(
                    f"{_model_name(self.component)}: parameter {name!r}: {err}"
                ) from err
            self._parameters[name] = lazy
        if parameters:
            self._evaluated = False

    @staticmethod
    def _lazy_dtype(expected):
        return expected if expected in (float, int) or _is_array_type(expected) else None

    def _error(self, name: str, message: str) -> InvalidParameterValueError:
        return InvalidParameterValueError(
            f"{_model_name(self.component)}: parameter {name!r} {message}"
        )

    def _unit(self, name: str):
        units = getattr(self.component, "units", None)
        return units.get(name) if isinstance(units, Mapping) else None

    def _prepare(self, name: str, value, expected):
        """Convert units and check the type of one value; returns what LazyArray will hold."""
        if isinstance(value, pq.Quantity) or (
            isinstance(value, ArrayParameter) and isinstance(value.value, pq.Quantity)
        ):
            unit = self._unit(name)
            if unit is None:
                raise self._error(name, f"has no declared unit, so {value!r} cannot be converted")
            try:
                if isinstance(value, ArrayParameter):
                    value = type(value)(to_canonical(value.value, unit, name))
                else:
                    value = to_canonical(value, unit, name)
            except InvalidParameterValueError as err:
                raise InvalidParameterValueError(f"{_model_name(self.component)}: {err}") from None
        if expected is None:
            return value
        if _is_array_type(expected):
            return self._prepare_array_parameter(name, value, expected)
        if expected in (float, int):
            return self._prepare_number(name, value, expected)
        return value

    def _none(self, name: str, kind: str):
        """``None``: kept where the declared default is ``None`` ("filled in later", e.g. a
        synapse delay); a synapse's default elsewhere (PyNN: ``weight=None`` is the default
        weight); refused for anything else."""
        component = self.component
        if component is None:
            return None
        default = getattr(component, "default_parameters", {}).get(name)
        if default is None:
            return None
        if getattr(component, "accepts_distance_expressions", False):
            return default
        raise self._error(name, f"expects a {kind}, got None")

    def _prepare_array_parameter(self, name: str, value, expected: type):
        # the values themselves (finite, sorted spike times) are checked where a population
        # takes them, as PyNN does (its test_issue511 expects the error from Population())
        if value is None:
            raise self._error(name, f"expects a {expected.__name__} (array value), got None")
        if isinstance(value, (ArrayParameter, larray)) or callable(value) or is_random(value):
            return value
        if isinstance(value, range):
            value = list(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            if len(value) == 0:
                return expected([])
            first = value[0]
            if isinstance(first, ArrayParameter) or np.ndim(first) > 0:
                # one array value per cell
                return _object_array(
                    x if isinstance(x, ArrayParameter) else expected(x) for x in value
                )
            try:
                return expected(np.asarray(value, dtype=float))  # one array value for all cells
            except (TypeError, ValueError):
                pass
        raise self._error(name, f"expects a {expected.__name__} (array value), got {value!r}")

    def _prepare_number(self, name: str, value, expected: type):
        kind = expected.__name__
        if value is None:
            return self._none(name, kind)
        if isinstance(value, larray) or is_random(value):
            return value
        if isinstance(value, str):
            if getattr(self.component, "accepts_distance_expressions", False):
                return DistanceExpression(value)
            raise self._error(name, f"expects a {kind}, got the string {value!r}")
        if isinstance(value, ArrayParameter):
            raise self._error(name, f"expects a {kind}, got the array value {value!r}")
        if callable(value):
            return value
        if isinstance(value, (bool, np.bool_)):  # True is not a membrane potential
            raise self._error(name, f"expects a {kind}, got the bool {value!r}")
        if is_number(value):
            arr = np.asarray(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise self._error(name, f"expects {kind} values, got {value!r}")
            if self._shape is not None and arr.shape != self._shape:
                raise InvalidDimensionsError(
                    f"{_model_name(self.component)}: parameter {name!r} got {arr.shape} values, "
                    f"expected shape {self._shape}"
                )
        else:
            raise self._error(name, f"expects a {kind}, got {value!r} ({type(value).__name__})")
        try:
            floats = arr.astype(float)  # a Python int beyond 1e308 does not fit
        except OverflowError:
            raise self._error(
                name, f"expects a {kind}, got a number beyond the float range"
            ) from None
        if expected is int:
            if not np.all(np.mod(floats, 1) == 0) or not np.all(np.abs(floats) < 2.0**63):
                raise self._error(name, f"expects an integer (int64), got {value!r}")
            arr = arr.astype(np.int64)
        else:
            arr = floats
        check = getattr(self.component, "check_parameter_value", None)
        if check is not None:
            check(name, arr)
        return arr.item() if arr.ndim == 0 else arr

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(self, mask=None, simplify: bool = False) -> ParameterSpace:
        """Replace every lazy value by its numpy array (in place; returns ``self``).

        ``mask`` (bool array, index array, slice, or a tuple of these for 2-D spaces) selects the
        local cells; the evaluated arrays then have the masked shape.  Array-valued parameters
        become object arrays of :class:`ArrayParameter`.  With ``simplify=True`` homogeneous
        values stay single values.
        """
        if self._evaluated:
            if mask is None:
                return self
            raise RuntimeError("this ParameterSpace has already been evaluated")
        if self._shape is None:
            raise ValueError("set the shape of the ParameterSpace before evaluating it")
        for name, value in self._parameters.items():
            if not isinstance(value, larray):
                continue
            if mask is None:
                self._parameters[name] = value.evaluate(simplify=simplify)
            else:
                self._parameters[name] = value._partially_evaluate(mask, simplify=simplify)
        self._evaluated_shape = self._shape if mask is None else _partial_shape(mask, self._shape)
        self._evaluated = True
        return self

    def _require_evaluated(self, what: str) -> None:
        if not self._evaluated:
            raise RuntimeError(f"call evaluate() before {what}")

    def as_dict(self) -> dict[str, Any]:
        """A plain dict of the evaluated values."""
        self._require_evaluated("as_dict()")
        return dict(self._parameters)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """One ``{name: value}`` dict per cell (first axis), after :meth:`evaluate`."""
        self._require_evaluated("iterating")
        for i in range(self._evaluated_shape[0]):
            yield {
                name: value[i] if isinstance(value, np.ndarray) and value.ndim else value
                for name, value in self._parameters.items()
            }

    def columns(self) -> Iterator[dict[str, Any]]:
        """For a 2-D (pre x post) space, one ``{name: column}`` dict per post-synaptic column."""
        self._require_evaluated("iterating over columns")
        if len(self._evaluated_shape) == 1:
            yield dict(self._parameters)
            return
        for j in range(self._evaluated_shape[1]):
            yield {
                name: value[:, j] if isinstance(value, np.ndarray) and value.ndim == 2 else value
                for name, value in self._parameters.items()
            }

    # -- properties -----------------------------------------------------------------------------
    @property
    def is_homogeneous(self) -> bool:
        """True if every parameter has the same value for all cells."""
        for value in self._parameters.values():
            if isinstance(value, larray):
                if not value.is_homogeneous:
                    return False
            elif isinstance(value, np.ndarray) and value.size and simplify(value) is value:
                return False
        return True

    def _random_values(self):
        return (
            value.base_value
            for value in self._parameters.values()
            if isinstance(value, larray) and is_random(value.base_value)
        )

    @property
    def parallel_safe(self) -> bool:
        """True if any value comes from a parallel-safe random distribution."""
        return any(_parallel_safe(dist) for dist in self._random_values())

    @property
    def has_native_rngs(self) -> bool:
        """True if any value must be drawn by the simulator's own generator (``NativeRNG``)."""
        return any(
            type(getattr(dist, "rng", None)).__name__ == "NativeRNG"
            for dist in self._random_values()
        )

    def expand(self, new_shape: tuple, mask) -> None:
        """Grow to ``new_shape``: existing per-cell arrays go to positions ``mask``, new
        positions get NaN (``None`` for array-valued parameters)."""
        new_shape = tuple(new_shape)
        for value in self._parameters.values():
            if isinstance(value, larray) and isinstance(value.base_value, np.ndarray):
                old = value.base_value
                if old.dtype == object:
                    grown = np.full(new_shape, None, dtype=object)
                else:
                    grown = np.full(new_shape, np.nan)
                grown[mask] = old
                value.base_value = grown
        self.shape = new_shape

    def flatten(self) -> ParameterSpace:
        """Dotted names (``'AMPA.tau_syn'``) are already flat in pynn_uni: returns ``self``."""
        return self


def _is_array_type(expected) -> bool:
    return isinstance(expected, type) and issubclass(expected, ArrayParameter)


# ---------------------------------------------------------------------------------------------
#   Ionic species
# ---------------------------------------------------------------------------------------------


class IonicSpecies:
    """An ion's reversal potential (mV) and internal/external concentrations (mM).

    Plain data for multicompartment models; ``name`` is an alias of ``ion_name``.
    """

    def __init__(
        self,
        ion_name: str,
        reversal_potential: float,
        internal_concentration: float | None = None,
        external_concentration: float | None = None,
    ):
        self.ion_name = ion_name
        self.reversal_potential = reversal_potential
        self.internal_concentration = internal_concentration
        self.external_concentration = external_concentration

    @property
    def name(self) -> str:
        return self.ion_name

    def __eq__(self, other) -> bool:
        return isinstance(other, IonicSpecies) and vars(self) == vars(other)

    __hash__ = None

    def __repr__(self) -> str:
        return (
            f"IonicSpecies({self.ion_name!r}, reversal_potential={self.reversal_potential!r}, "
            f"internal_concentration={self.internal_concentration!r}, "
            f"external_concentration={self.external_concentration!r})"
        )
