"""pynn_uni.space: distances (PyNN's row convention), structures and shapes."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from pynn_uni.errors import InvalidDimensionsError
from pynn_uni.random import NumpyRNG
from pynn_uni.space import (
    Cuboid,
    Grid2D,
    Grid3D,
    Line,
    RandomStructure,
    Space,
    Sphere,
    distance,
)

O = np.array([0.0, 0.0, 0.0])
ROWS = np.array([[0.0, 0, 0], [3, 4, 0], [1, 2, 2], [0, 0, -5]])


def test_distance_of_two_cells():
    a = SimpleNamespace(position=np.array([1.0, 2.0, 3.0]))
    b = SimpleNamespace(position=np.array([4.0, 6.0, 15.0]))
    assert distance(a, b) == 13.0
    assert distance(a, b, mask=np.array([0, 1])) == 5.0
    assert distance(a, b, scale_factor=0.5) == pytest.approx(math.sqrt(1 + 1 + 4.5**2))
    assert distance(a, b, offset=np.array([-3.0, -4.0, -12.0])) == 0.0
    # period 5 on x: |1-4| = 3 wraps to 2
    assert distance(a, b, periodic_boundaries=np.array([5.0, 1e12, 1e12])) == pytest.approx(
        math.sqrt(4 + 16 + 144)
    )


def test_distances_rows_in_flattened_matrix_out():
    s = Space()
    np.testing.assert_allclose(s.distances(O, ROWS), [0, 5, 3, 5])
    d = s.distances(ROWS, ROWS)
    assert d.shape == (16,)
    m = d.reshape(4, 4)
    assert m[1, 2] == pytest.approx(math.sqrt(4 + 4 + 4))
    np.testing.assert_allclose(m, m.T)
    np.testing.assert_allclose(s.distances(ROWS, O), [0, 5, 3, 5])


def test_distances_axes_scale_offset_periodic():
    b = np.array([3.0, 4.0, 12.0])
    assert Space(axes="x").distances(O, b)[0] == 3.0
    assert Space(axes="xy").distances(O, b)[0] == 5.0
    assert Space(axes="yz").distances(O, b)[0] == 12.649110640673518  # sqrt(16 + 144)
    # post positions become scale * (b + offset) = 2 * (b + 1)
    s = Space(scale_factor=2.0, offset=1.0)
    assert s.distances(O, b)[0] == pytest.approx(math.sqrt(8**2 + 10**2 + 26**2))
    ring = Space(periodic_boundaries=((0, 10), None, None))
    assert ring.distances(np.array([1.0, 0, 0]), np.array([9.0, 0, 0]))[0] == pytest.approx(2.0)


def test_distances_expand_gives_per_axis_differences():
    d = Space(axes="xz").distances(O, np.array([3.0, 4.0, -12.0]), expand=True)
    np.testing.assert_allclose(d, [3.0, 12.0])


def test_distances_rejects_columns_layout():
    with pytest.raises(InvalidDimensionsError, match="N, 3"):
        Space().distances(np.zeros((3, 5)), np.zeros((3, 5)))


def test_distance_generator_matrix():
    s = Space()
    gen = s.distance_generator(lambda i: ROWS[i], lambda j: ROWS[j])
    m = np.fromfunction(gen, shape=(4, 4), dtype=int)
    assert m.shape == (4, 4)
    assert m[0, 1] == 5.0 and m[3, 1] == pytest.approx(math.sqrt(9 + 16 + 25))
    np.testing.assert_allclose(gen(0, np.arange(4)), [0, 5, 3, 5])


def test_paired_distances():
    A = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    B = np.array([[3.0, 1.0], [4.0, 1.0], [0.0, 3.0]])
    np.testing.assert_allclose(Space().paired_distances(A, B), [5.0, 2.0])


def test_line():
    p = Line(dx=100.0, x0=-100.0, y=444.0, z=987.0).generate_positions(3)
    np.testing.assert_allclose(p, [[-100, 0, 100], [444] * 3, [987] * 3])
    assert Line() == Line(1.0, 0.0, 0.0, 0.0) and Line() != Line(dx=2.0)
    assert Line(dx=2.0).get_parameters() == {"dx": 2.0, "x0": 0.0, "y": 0.0, "z": 0.0}


def test_grid2d_sequential_fill_y_fastest():
    p = Grid2D(aspect_ratio=3.0, dx=10, dy=2, x0=1, y0=5, z=7).generate_positions(12)
    assert Grid2D(aspect_ratio=3.0).calculate_size(12) == (6, 2)
    np.testing.assert_allclose(p[:, :3], [[1, 1, 11], [5, 7, 5], [7, 7, 7]])
    np.testing.assert_allclose(p[:, -1], [51, 7, 7])
    with pytest.raises(InvalidDimensionsError):
        Grid2D().generate_positions(10)
    with pytest.raises(InvalidDimensionsError):
        Grid2D(aspect_ratio=0.8).generate_positions(5)  # sqrt(4) = 2 does not divide 5


def test_grid3d_sequential_fill_z_fastest():
    p = Grid3D().generate_positions(8)
    np.testing.assert_allclose(p[:, :3].T, [[0, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert Grid3D(aspect_ratioXY=3.0, aspect_ratioXZ=2.0).calculate_size(36) == (6, 2, 3)
    with pytest.raises(InvalidDimensionsError):
        Grid3D().generate_positions(10)


def test_random_fill_is_a_seeded_permutation():
    seq = Grid2D().generate_positions(16)
    rnd = Grid2D(fill_order="random", rng=NumpyRNG(3)).generate_positions(16)
    again = Grid2D(fill_order="random", rng=NumpyRNG(3)).generate_positions(16)
    np.testing.assert_array_equal(rnd, again)
    assert not np.array_equal(rnd, seq)
    assert sorted(map(tuple, rnd.T)) == sorted(map(tuple, seq.T))


def test_cuboid_bounds():
    p = Cuboid(3, 4, 5).sample(2000, NumpyRNG(1))
    assert p.shape == (2000, 3)
    assert np.all(np.abs(p) <= [1.5, 2.0, 2.5])
    assert np.abs(p[:, 2]).max() > 2.4


def test_sphere_uniform_in_volume():
    n = 8000
    p = Sphere(2.0).sample(n, NumpyRNG(2))
    r = np.sqrt((p**2).sum(axis=1))
    assert p.shape == (n, 3) and r.max() < 2.0
    # uniform density: P(r < R/2) = 1/8
    frac = np.mean(r < 1.0)
    assert abs(frac - 0.125) < 5 * math.sqrt(0.125 * 0.875 / n)


def test_random_structure_origin_and_shape():
    rs = RandomStructure(Sphere(1.0), origin=(10.0, 0.0, -5.0), rng=NumpyRNG(4))
    p = rs.generate_positions(500)
    assert p.shape == (3, 500)
    assert np.all(np.sqrt(((p.T - [10.0, 0.0, -5.0]) ** 2).sum(axis=1)) < 1.0)


def test_describe_returns_context_dict_with_template_none():
    ctx = Grid2D(dx=2).describe(template=None)
    assert ctx["name"] == "Grid2D" and ctx["parameters"]["dx"] == 2
    assert "Grid2D" in Grid2D().describe()
