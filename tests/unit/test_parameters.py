"""ParameterSpace, LazyArray, ArrayParameter/Sequence and friends (pynn_uni.parameters)."""

import copy
import math

import numpy as np
import pytest
import quantities as pq

from pynn_uni.errors import (
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.parameters import (
    ArrayParameter,
    DistanceExpression,
    IonicSpecies,
    LazyArray,
    ParameterSpace,
    Sequence,
    is_random,
    simplify,
)

# -- test doubles -------------------------------------------------------------------------------


class CountingRNG:
    def __init__(self, parallel_safe=True):
        self.parallel_safe = parallel_safe


class CountingDistribution:
    """Fake RandomDistribution: successive draws are 0, 1, 2, ... (so draw order is visible)."""

    def __init__(self, parallel_safe=True, rng_class=CountingRNG):
        self.rng = rng_class(parallel_safe)
        self.drawn = 0

    def next(self, n=None, mask=None):
        values = np.arange(self.drawn, self.drawn + n, dtype=float)
        self.drawn += n
        return values


class NativeRNG(CountingRNG):
    """Same name as pynn_uni.random.NativeRNG: ParameterSpace recognises it by name."""


class Model:
    """Minimal component: units for quantity conversion, a name for messages."""

    __name__ = "Model"
    units = {"tau": "ms", "i": "nA", "times": "ms"}


SCHEMA = {"tau": float, "i": float, "n": int, "times": Sequence, "kernel": ArrayParameter}


# -- ArrayParameter / Sequence -----------------------------------------------------------------


def test_sequence_scalar_arithmetic():
    s = Sequence([1.0, 2.0])
    assert s * 2 == Sequence([2.0, 4.0])
    assert 2 * s == Sequence([2.0, 4.0])
    assert s + 1 == Sequence([2.0, 3.0])
    assert 10 - s == Sequence([9.0, 8.0])
    assert s - 1 == Sequence([0.0, 1.0])
    assert s / 2 == Sequence([0.5, 1.0])
    assert 4 / Sequence([1.0, 2.0]) == Sequence([4.0, 2.0])
    assert -s == Sequence([-1.0, -2.0])
    assert isinstance(s * 2, Sequence)


def test_array_parameter_broadcasts_per_element_of_an_array():
    s = Sequence([1.0, 2.0])
    out = s + np.array([10.0, 20.0, 30.0])
    assert out.dtype == object and out.shape == (3,)
    assert out[0] == Sequence([11.0, 12.0])
    assert out[2] == Sequence([31.0, 32.0])
    reflected = np.array([1.0, 3.0]) * s  # numpy defers to the ArrayParameter
    assert reflected[1] == Sequence([3.0, 6.0])


def test_array_parameter_container_protocol():
    a = ArrayParameter([3.0, 1.0, 2.0])
    assert len(a) == 3
    assert list(a) == [3.0, 1.0, 2.0]
    assert a.max() == 3.0
    assert len(Sequence([])) == 0


def test_array_parameter_equality():
    assert Sequence([1, 2]) == Sequence([1.0, 2.0])
    assert Sequence([1, 2]) != Sequence([1, 2, 3])
    assert Sequence([1, 2]) != [1, 2]  # a list is not an array value
    arr = np.empty(2, dtype=object)
    arr[:] = [Sequence([1]), Sequence([2])]
    np.testing.assert_array_equal(Sequence([1]) == arr, [True, False])


def test_array_parameter_repr_round_trips():
    s = Sequence([5.0, 15.0])
    assert repr(s) == "Sequence([5.0, 15.0])"
    assert eval(repr(s), {"Sequence": Sequence}) == s


def test_array_parameter_rejects_non_numbers():
    with pytest.raises(InvalidParameterValueError):
        Sequence(["a", "b"])


def test_simplify():
    assert simplify(np.array([3.0, 3.0, 3.0])) == 3.0
    arr = np.array([1.0, 2.0])
    assert simplify(arr) is arr
    empty = np.array([])
    assert simplify(empty) is empty
    assert simplify(7) == 7
    same = np.empty(2, dtype=object)
    same[:] = [Sequence([1, 2]), Sequence([1, 2])]
    assert simplify(same) == Sequence([1, 2])


# -- random-distribution duck typing -------------------------------------------------------------


def test_is_random_duck_typing():
    assert is_random(CountingDistribution())
    assert not is_random(lambda i: i)
    assert not is_random(np.arange(3))
    assert not is_random(3.0)
    assert not is_random(Sequence([1]))


# -- LazyArray ------------------------------------------------------------------------------------


def test_lazy_callable_of_index():
    la = LazyArray(lambda i: 2 * i + 1, shape=(4,), dtype=float)
    np.testing.assert_array_equal(la.evaluate(), [1.0, 3.0, 5.0, 7.0])
    assert la.evaluate().dtype == float


def test_lazy_non_vectorised_callable_falls_back():
    la = LazyArray(lambda i: math.sqrt(i), shape=(3,), dtype=float)
    np.testing.assert_allclose(la.evaluate(), [0.0, 1.0, math.sqrt(2)])


def test_lazy_2d_callable_and_mask():
    la = LazyArray(lambda i, j: 10 * i + j, shape=(2, 3))
    np.testing.assert_array_equal(la.evaluate(), [[0, 1, 2], [10, 11, 12]])
    np.testing.assert_array_equal(la[:, [0, 2]], [[0, 2], [10, 12]])


def test_lazy_array_parameter_is_one_value_per_cell():
    la = LazyArray(Sequence([1.0, 2.0]), shape=(3,), dtype=Sequence)
    assert la.is_homogeneous
    out = la.evaluate()
    assert out.dtype == object and out.shape == (3,)
    assert all(x == Sequence([1.0, 2.0]) for x in out)
    assert la.evaluate(simplify=True) == Sequence([1.0, 2.0])


def test_lazy_size_one_array_stays_an_array():
    la = LazyArray(np.array([4.0]), shape=(1,))
    assert la.evaluate().shape == (1,)


def test_lazy_float_conversion():
    assert float(LazyArray(2.5)) == 2.5
    assert float(LazyArray(2.0) * 3) == 6.0
    with pytest.raises(TypeError):
        float(LazyArray(np.array([1.0, 2.0])))


def test_lazy_setitem_materialises():
    la = LazyArray(1.0, shape=(4,))
    la[1] = 5.0
    np.testing.assert_array_equal(la.evaluate(), [1.0, 5.0, 1.0, 1.0])


def test_lazy_parallel_safe_random_draws_all_then_masks():
    la = LazyArray(CountingDistribution(parallel_safe=True), shape=(5,))
    np.testing.assert_array_equal(la[np.array([1, 3])], [1.0, 3.0])


def test_lazy_by_column_is_independent_of_mask():
    dist = CountingDistribution(parallel_safe=True)
    la = LazyArray(dist, shape=(2, 3))
    columns = list(la.by_column(mask=np.array([False, True, True])))
    # columns are drawn in order (0,1 | 2,3 | 4,5); column 0 is drawn but not yielded
    np.testing.assert_array_equal(columns[0], [2.0, 3.0])
    np.testing.assert_array_equal(columns[1], [4.0, 5.0])
    assert dist.drawn == 6


def test_lazy_deepcopy_shares_random_generator():
    dist = CountingDistribution()
    la = LazyArray(dist, shape=(2,))
    assert copy.deepcopy(la).base_value is dist


# -- distance expressions -----------------------------------------------------------------------


def test_distance_expression_values():
    f = DistanceExpression("0.1 + exp(-d/100.0)")
    np.testing.assert_allclose(f(np.array([0.0, 100.0])), [1.1, 0.1 + math.exp(-1)])
    assert DistanceExpression("np.sqrt(d)")(16.0) == 4.0
    assert LazyArray("2*d").base_value(np.array([3.0])) == 6.0


@pytest.mark.parametrize(
    "text", ["__import__('os')", "d.real", "open('x')", "d +", "'a' * 3", "lambda: 1"]
)
def test_distance_expression_rejects_anything_but_arithmetic(text):
    with pytest.raises(InvalidParameterValueError):
        DistanceExpression(text)


# -- ParameterSpace: value kinds ------------------------------------------------------------------


def test_evaluate_every_value_kind():
    ps = ParameterSpace(
        {
            "tau": 10.0,
            "i": np.array([0.0, 0.1, 0.2, 0.3]),
            "n": lambda i: i + 1,
            "times": [1.0, 2.0],  # a plain list for an array parameter: one value for all
            "kernel": [ArrayParameter([1]), ArrayParameter([2]), ArrayParameter([3]),
                       ArrayParameter([4])],
        },
        SCHEMA,
        shape=(4,),
    )  # fmt: skip
    ps.evaluate()
    d = ps.as_dict()
    np.testing.assert_array_equal(d["tau"], [10.0] * 4)
    np.testing.assert_array_equal(d["i"], [0.0, 0.1, 0.2, 0.3])
    np.testing.assert_array_equal(d["n"], [1, 2, 3, 4])
    assert d["n"].dtype.kind == "i"
    assert d["times"].dtype == object and all(t == Sequence([1.0, 2.0]) for t in d["times"])
    assert isinstance(d["times"][0], Sequence)
    assert d["kernel"][2] == ArrayParameter([3])


def test_list_of_lists_is_one_array_value_per_cell():
    ps = ParameterSpace({"times": [[1.0, 2.0], [5.0]]}, SCHEMA, shape=(2,))
    ps.evaluate()
    assert ps["times"][0] == Sequence([1.0, 2.0])
    assert ps["times"][1] == Sequence([5.0])


def test_range_is_one_array_value_for_all_cells():
    # PyNN 0.13 (NEST and NEURON): SpikeSourceArray(spike_times=range(1, 10)) holds
    # Sequence([1., 2., ..., 9.]) for every cell
    ps = ParameterSpace({"times": range(1, 10)}, SCHEMA, shape=(2,))
    ps.evaluate()
    assert ps["times"][0] == ps["times"][1] == Sequence([1, 2, 3, 4, 5, 6, 7, 8, 9])


def test_function_of_index_gives_one_array_value_per_cell():
    # PyNN's examples (small_network.py) call the function with an array of indices and
    # expect a list of Sequences back; a function written for one index also works
    def vectorised(i):
        return [Sequence([j + 1.0, j + 5.0]) for j in i] if hasattr(i, "__len__") else None

    for func in (vectorised, lambda i: Sequence([i + 1.0, i + 5.0])):
        ps = ParameterSpace({"times": func}, SCHEMA, shape=(3,))
        ps.evaluate()
        assert [t.value.tolist() for t in ps["times"]] == [[1, 5], [2, 6], [3, 7]]


def test_evaluate_simplify_keeps_single_values():
    ps = ParameterSpace({"tau": 3.0, "times": Sequence([1.0])}, SCHEMA, shape=(3,))
    ps.evaluate(simplify=True)
    assert ps["tau"] == 3.0
    assert ps["times"] == Sequence([1.0])


@pytest.mark.parametrize("mask", [np.array([True, False, True, False, True]), np.array([0, 2, 4])])
def test_evaluate_with_mask(mask):
    ps = ParameterSpace({"tau": lambda i: 10.0 * i, "i": np.arange(5.0)}, SCHEMA, shape=(5,))
    ps.evaluate(mask=mask)
    np.testing.assert_array_equal(ps["tau"], [0.0, 20.0, 40.0])
    np.testing.assert_array_equal(ps["i"], [0.0, 2.0, 4.0])
    assert [d["i"] for d in ps] == [0.0, 2.0, 4.0]


def test_parallel_safe_random_values_do_not_depend_on_mask():
    mask = np.array([True, False, True, False, True])
    ps = ParameterSpace({"tau": CountingDistribution(parallel_safe=True)}, SCHEMA, shape=(5,))
    assert ps.parallel_safe
    ps.evaluate(mask=mask)
    # all five values 0..4 are drawn, the local cells keep theirs
    np.testing.assert_array_equal(ps["tau"], [0.0, 2.0, 4.0])


def test_non_parallel_safe_random_values_are_drawn_locally():
    mask = np.array([True, False, True, False, True])
    ps = ParameterSpace({"tau": CountingDistribution(parallel_safe=False)}, SCHEMA, shape=(5,))
    assert not ps.parallel_safe
    ps.evaluate(mask=mask)
    np.testing.assert_array_equal(ps["tau"], [0.0, 1.0, 2.0])


def test_random_values_full_evaluation():
    dist = CountingDistribution()
    ps = ParameterSpace({"tau": dist}, SCHEMA, shape=(3,))
    assert not ps.is_homogeneous
    ps.evaluate()
    np.testing.assert_array_equal(ps["tau"], [0.0, 1.0, 2.0])
    assert dist.drawn == 3


def test_has_native_rngs():
    assert not ParameterSpace({"tau": CountingDistribution()}, SCHEMA).has_native_rngs
    native = CountingDistribution(rng_class=NativeRNG)
    assert ParameterSpace({"tau": native}, SCHEMA).has_native_rngs


def test_quantities_are_converted_to_canonical_units():
    ps = ParameterSpace(
        {"tau": 0.02 * pq.s, "i": np.array([100.0, 200.0]) * pq.pA,
         "times": np.array([0.01, 0.02]) * pq.s},
        SCHEMA, shape=(2,), component=Model,
    )  # fmt: skip
    ps.evaluate(simplify=True)
    assert ps["tau"] == 20.0
    np.testing.assert_allclose(ps["i"], [0.1, 0.2])
    assert ps["times"] == Sequence([10.0, 20.0])


def test_quantity_inside_a_sequence_is_converted():
    ps = ParameterSpace({"times": Sequence([1.0, 2.0] * pq.s)}, SCHEMA, component=Model)
    assert ps["times"].base_value == Sequence([1000.0, 2000.0])


def test_quantity_of_wrong_dimensions():
    with pytest.raises(InvalidParameterValueError, match="'tau'.*ms"):
        ParameterSpace({"tau": 1 * pq.mV}, SCHEMA, component=Model)


def test_quantity_without_declared_unit():
    with pytest.raises(InvalidParameterValueError, match="'n'"):
        ParameterSpace({"n": 1 * pq.ms}, SCHEMA, component=Model)


# -- ParameterSpace: errors -----------------------------------------------------------------------


def test_wrong_length_array_is_a_dimensions_error():
    with pytest.raises(InvalidDimensionsError, match="'i'"):
        ParameterSpace({"i": np.arange(3.0)}, SCHEMA, shape=(4,))


def test_lazy_array_of_the_wrong_shape_is_a_dimensions_error():
    lazy = ParameterSpace({"i": [1.0, 2.0, 3.0]}, SCHEMA)["i"]
    with pytest.raises(InvalidDimensionsError, match="'i'"):
        ParameterSpace({"i": lazy}, SCHEMA, shape=(4,))


def test_string_for_a_float_names_the_parameter():
    with pytest.raises(InvalidParameterValueError, match=r"Model: parameter 'tau'.*string"):
        ParameterSpace({"tau": "fast"}, SCHEMA, component=Model)


def test_other_wrong_types():
    with pytest.raises(InvalidParameterValueError, match="'tau'"):
        ParameterSpace({"tau": {"a": 1}}, SCHEMA)
    with pytest.raises(InvalidParameterValueError, match="'tau'"):
        ParameterSpace({"tau": Sequence([1.0])}, SCHEMA)
    with pytest.raises(InvalidParameterValueError, match="'tau'"):
        ParameterSpace({"tau": ["a", "b"]}, SCHEMA, shape=(2,))
    with pytest.raises(InvalidParameterValueError, match="'times'"):
        ParameterSpace({"times": 5.0}, SCHEMA)


def test_integer_parameters():
    ps = ParameterSpace({"n": 2.0}, SCHEMA, shape=(2,))
    ps.evaluate()
    assert ps["n"].dtype.kind == "i"
    with pytest.raises(InvalidParameterValueError, match="integer"):
        ParameterSpace({"n": 2.5}, SCHEMA)


def test_unknown_name_with_schema():
    with pytest.raises(NonExistentParameterError) as info:
        ParameterSpace({"tua": 1.0}, SCHEMA, component=Model)
    assert isinstance(info.value, KeyError)
    assert info.value.parameter_name == "tua"
    assert info.value.model_name == "Model"
    assert "tau" in info.value.valid_parameter_names


def test_must_evaluate_before_reading_as_dict_or_iterating():
    ps = ParameterSpace({"tau": 1.0}, SCHEMA, shape=(2,))
    with pytest.raises(RuntimeError):
        ps.as_dict()
    with pytest.raises(RuntimeError):
        list(ps)


def test_evaluate_needs_a_shape():
    with pytest.raises(ValueError, match="shape"):
        ParameterSpace({"tau": 1.0}, SCHEMA).evaluate()


# -- ParameterSpace: dict-like behaviour ----------------------------------------------------------


def test_dict_like_access():
    ps = ParameterSpace({"tau": 1.0, "i": 2.0}, SCHEMA)
    assert list(ps.keys()) == ["tau", "i"]
    assert "tau" in ps and "n" not in ps
    ps.update(i=3.0)
    assert float(ps["i"]) == 3.0
    ps["tau"] = 4.0
    assert float(ps["tau"]) == 4.0
    assert float(ps.pop("tau")) == 4.0
    assert "tau" not in ps and "tau" not in ps.schema
    assert SCHEMA["tau"] is float  # the caller's schema is not modified


def test_none_means_not_set():
    ps = ParameterSpace({"tau": None, "i": 1.0}, SCHEMA, shape=(2,))
    assert ps["tau"] is None
    ps.evaluate()
    assert ps["tau"] is None


def test_shape_can_be_set_later():
    ps = ParameterSpace({"tau": 1.0, "i": np.arange(3.0)}, SCHEMA)
    ps.shape = (3,)
    ps.evaluate()
    np.testing.assert_array_equal(ps["tau"], [1.0, 1.0, 1.0])
    bad = ParameterSpace({"i": np.arange(3.0)}, SCHEMA)
    with pytest.raises(InvalidDimensionsError):
        bad.shape = (4,)


def test_is_homogeneous():
    assert ParameterSpace({"tau": 1.0, "times": [1.0]}, SCHEMA, shape=(3,)).is_homogeneous
    assert not ParameterSpace({"i": np.arange(3.0)}, SCHEMA, shape=(3,)).is_homogeneous


def test_iteration_yields_one_dict_per_cell():
    ps = ParameterSpace({"tau": [2.0, 3.0], "i": 7.0}, SCHEMA, shape=(2,))
    ps.evaluate(simplify=True)
    assert list(ps) == [{"tau": 2.0, "i": 7.0}, {"tau": 3.0, "i": 7.0}]


def test_columns_of_a_2d_space():
    ps = ParameterSpace({"tau": lambda i, j: 10 * i + j, "i": 1.0}, SCHEMA, shape=(2, 3))
    ps.evaluate(simplify=True)
    cols = list(ps.columns())
    assert len(cols) == 3
    np.testing.assert_array_equal(cols[2]["tau"], [2.0, 12.0])
    assert cols[0]["i"] == 1.0


def test_2d_column_mask():
    ps = ParameterSpace({"tau": lambda i, j: 10 * i + j}, SCHEMA, shape=(2, 3))
    ps.evaluate(mask=(slice(None), np.array([True, False, True])))
    np.testing.assert_array_equal(ps["tau"], [[0.0, 2.0], [10.0, 12.0]])


def test_expand():
    ps = ParameterSpace({"i": np.array([1.0, 2.0]), "tau": 5.0}, SCHEMA, shape=(2,))
    ps.expand((4,), np.array([0, 2]))
    ps.evaluate()
    np.testing.assert_array_equal(ps["i"], [1.0, np.nan, 2.0, np.nan])
    np.testing.assert_array_equal(ps["tau"], [5.0] * 4)


def test_equality_and_deepcopy():
    a = ParameterSpace({"tau": 1.0, "i": np.array([1.0, 2.0])}, SCHEMA, shape=(2,))
    b = copy.deepcopy(a)
    assert a == b
    b.update(tau=2.0)
    assert a != b


def test_deepcopy_shares_the_component():
    ps = ParameterSpace({"tau": 1.0}, SCHEMA, component=Model)
    assert copy.deepcopy(ps).component is Model


def test_without_schema_values_pass_through():
    ps = ParameterSpace({"anything": np.array([1, 2]), "f": "d * 2"}, shape=(2,))
    assert isinstance(ps["f"].base_value, DistanceExpression)
    ps.evaluate(mask=np.array([1]))
    np.testing.assert_array_equal(ps["anything"], [2])


def test_ionic_species():
    na = IonicSpecies("na", 50.0, internal_concentration=10.0, external_concentration=140.0)
    assert na.name == "na" == na.ion_name
    assert na.reversal_potential == 50.0
    assert na == IonicSpecies("na", 50.0, 10.0, 140.0)
    assert IonicSpecies("k", -77.0).internal_concentration is None
