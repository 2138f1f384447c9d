"""Positions of cells and distances between them (the ``pyNN.space`` module path).

Units are whatever the positions use (µm by convention).  Structures generate positions
as a 3 x n array (one column per cell), as populations store them.  ``Space.distances``
follows PyNN exactly: points are *rows* (``(3,)`` or ``(N, 3)``) and the result is the
flattened N x M distance matrix.
"""

from __future__ import annotations

import math

import numpy as np

from pynn_uni.common import describing
from pynn_uni.errors import InvalidDimensionsError, InvalidParameterValueError
from pynn_uni.random import NumpyRNG

__all__ = [
    "distance",
    "Space",
    "BaseStructure",
    "Line",
    "Grid2D",
    "Grid3D",
    "RandomStructure",
    "Shape",
    "Cuboid",
    "Sphere",
]


def distance(
    src, tgt, mask=None, scale_factor: float = 1.0, offset=0.0, periodic_boundaries=None
) -> float:
    """Euclidean distance between two cells (objects with a ``position`` 3-vector).

    The target position is transformed as ``scale_factor * (position + offset)``;
    ``periodic_boundaries`` is the period of each axis (e.g. ``(7.0, 1e12, 1e12)``);
    ``mask`` keeps only some axes (``[0, 1]`` ignores z).
    """
    d = np.asarray(src.position, float) - scale_factor * (np.asarray(tgt.position, float) + offset)
    if periodic_boundaries is not None:
        d = np.minimum(np.abs(d), np.asarray(periodic_boundaries, float) - np.abs(d))
    if mask is not None:
        d = d[mask]
    return float(np.sqrt(np.dot(d, d)))


class Space:
    """A Cartesian space in which distances between cells are measured.

    ``axes``: which coordinates count (``None``/``'xyz'``, ``'x'``, ``'xy'``, ...).
    ``scale_factor`` and ``offset`` map postsynaptic positions into the presynaptic
    frame, ``scale_factor * (post + offset)``, for populations that use different
    units or origins.  ``periodic_boundaries``: per axis ``(min, max)`` or ``None``,
    e.g. ``((0, 100), None, None)`` for a ring along x.
    """

    AXES = {
        None: (0, 1, 2),
        "xyz": (0, 1, 2),
        "x": (0,),
        "y": (1,),
        "z": (2,),
        "xy": (0, 1),
        "yz": (1, 2),
        "xz": (0, 2),
    }

    def __init__(
        self,
        axes: str | None = None,
        scale_factor: float = 1.0,
        offset=0.0,
        periodic_boundaries=None,
    ):
        if axes not in self.AXES:
            raise InvalidParameterValueError(
                f"Space: axes={axes!r} is not one of {[k for k in self.AXES if k]} or None"
            )
        if periodic_boundaries is not None and len(periodic_boundaries) != 3:
            raise InvalidParameterValueError(
                "Space: periodic_boundaries must give (min, max) or None for each of x, y, z"
            )
        self.axes = np.array(self.AXES[axes])
        self.scale_factor = scale_factor
        self.offset = offset
        self.periodic_boundaries = periodic_boundaries

    def __repr__(self) -> str:
        axes = "".join("xyz"[a] for a in self.axes)
        return (
            f"Space(axes={axes!r}, scale_factor={self.scale_factor!r}, "
            f"offset={self.offset!r}, periodic_boundaries={self.periodic_boundaries!r})"
        )

    def _axis_sq_diffs(self, a, b):
        """Yield the squared per-axis differences of ``a`` and transformed ``b``.

        ``a`` and ``b`` are indexed by axis first (``a[k]`` is coordinate k) and the
        remaining dimensions broadcast; ``b`` is the postsynaptic side.
        """
        offset = np.broadcast_to(np.asarray(self.offset, dtype=float), (3,))
        for axis in self.axes:
            diff = a[axis] - self.scale_factor * (b[axis] + offset[axis])
            bounds = None if self.periodic_boundaries is None else self.periodic_boundaries[axis]
            if bounds is not None:
                period = bounds[1] - bounds[0]
                diff = np.abs(diff)
                diff = np.minimum(diff, period - diff)
            yield diff * diff

    def _sq_distances_3n(self, a, b) -> np.ndarray:
        """Squared distances between 3 x ... arrays ``a`` (pre) and ``b`` (post), broadcast."""
        total = None
        for sq in self._axis_sq_diffs(a, b):
            total = sq if total is None else total + sq
        return total

    def paired_distances(self, A, B) -> np.ndarray:
        """Distance between column k of ``A`` (3 x N, pre) and column k of ``B`` (post)."""
        return np.sqrt(self._sq_distances_3n(np.asarray(A, float), np.asarray(B, float)))

    def distances(self, A, B, expand: bool = False) -> np.ndarray:
        """Distances between the points of ``A`` and of ``B`` (PyNN convention).

        ``A``: ``(3,)`` or ``(N, 3)`` (one point per row); ``B``: ``(3,)`` or ``(M, 3)``,
        transformed by ``scale_factor`` and ``offset``.  Returns the N x M matrix flattened
        (row i, column j at ``i*M + j``); with ``expand=True`` the per-axis absolute
        differences, shape (n_axes, N, M), flattened.
        """
        A = self._as_rows(A, "A")
        B = self._as_rows(B, "B")
        per_axis = np.array(list(self._axis_sq_diffs(A.T[:, :, None], B.T[:, None, :])))
        per_axis = per_axis.reshape(len(self.axes), A.shape[0], B.shape[0])
        d = per_axis if expand else per_axis.sum(axis=0)
        return np.sqrt(d).ravel()

    @staticmethod
    def _as_rows(X, name) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != 3:
            raise InvalidDimensionsError(
                f"Space.distances: {name} must have shape (3,) or (N, 3) (one point per row), "
                f"got {X.shape}; transpose a 3 x N positions array"
            )
        return X

    def distance_generator(self, f, g):
        """Return ``dist(i, j)``: distances between points ``f(i)`` and ``g(j)``.

        ``f`` and ``g`` map index arrays to points as rows.  2-D index arrays (as from
        ``np.fromfunction``) give a matrix of shape (len(i), len(j)).
        """

        def distance_map(i, j):
            shape = []
            if isinstance(i, np.ndarray) and i.ndim == 2:
                i = i[:, 0]
                shape.append(i.size)
            if isinstance(j, np.ndarray) and j.ndim == 2:
                j = j[0, :]
                shape.append(j.size)
            d = self.distances(f(i), g(j))
            return d.reshape(shape) if shape else d

        return distance_map


class BaseStructure:
    """How a population's cells are placed in space: ``generate_positions(n)`` -> 3 x n."""

    parameter_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        for name in self.parameter_names:
            a, b = getattr(self, name), getattr(other, name)
            if isinstance(a, (np.ndarray, list, tuple)) or isinstance(b, (np.ndarray, list, tuple)):
                if not np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None

    def get_parameters(self) -> dict:
        """The constructor parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def describe(self, template="structure_default.txt", engine="default"):
        """Text description; ``template=None`` returns the context dict."""
        context = {"name": type(self).__name__, "parameters": self.get_parameters()}
        return describing.render(template, context)

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions of ``n`` cells, shape (3, n)."""
        raise NotImplementedError

    def _random_order(self, positions: np.ndarray) -> np.ndarray:
        if self.fill_order == "sequential":
            return positions
        if self.rng is None:
            self.rng = NumpyRNG()
        return positions[:, self.rng.permutation(positions.shape[1])]


def _check_fill_order(fill_order):
    if fill_order not in ("sequential", "random"):
        raise InvalidParameterValueError(
            f"fill_order must be 'sequential' or 'random', not {fill_order!r}"
        )


class Line(BaseStructure):
    """Cells evenly spaced by ``dx`` along x from ``x0``, at fixed ``y`` and ``z``."""

    parameter_names = ("dx", "x0", "y", "z")

    def __init__(self, dx: float = 1.0, x0: float = 0.0, y: float = 0.0, z: float = 0.0):
        self.dx, self.x0, self.y, self.z = dx, x0, y, z

    def generate_positions(self, n: int) -> np.ndarray:
        x = self.x0 + self.dx * np.arange(n, dtype=float)
        return np.array([x, np.full(n, float(self.y)), np.full(n, float(self.z))])


class Grid2D(BaseStructure):
    """Cells on an nx x ny grid in the plane z = ``z``, corner at (``x0``, ``y0``).

    ``aspect_ratio`` = nx / ny (the ratio of grid points, not of lengths unless
    ``dx == dy``); ``n`` must factor exactly.  Sequential fill varies y fastest: cell 1 is
    at (x0, y0 + dy).  ``fill_order='random'`` permutes the cells with ``rng``.
    """

    parameter_names = ("aspect_ratio", "dx", "dy", "x0", "y0", "z", "fill_order")

    def __init__(
        self,
        aspect_ratio: float = 1.0,
        dx: float = 1.0,
        dy: float = 1.0,
        x0: float = 0.0,
        y0: float = 0.0,
        z: float = 0,
        fill_order: str = "sequential",
        rng=None,
    ):
        _check_fill_order(fill_order)
        self.aspect_ratio = aspect_ratio
        self.dx, self.dy, self.x0, self.y0, self.z = dx, dy, x0, y0, z
        self.fill_order = fill_order
        self.rng = rng

    def calculate_size(self, n: int) -> tuple[int, int]:
        """(nx, ny) for ``n`` cells; InvalidDimensionsError if they do not factor."""
        exact = math.sqrt(n * self.aspect_ratio)
        nx = int(round(exact))
        if nx < 1 or abs(exact - nx) > 1e-9 * max(1.0, exact) or n % nx:
            raise InvalidDimensionsError(
                f"Grid2D(aspect_ratio={self.aspect_ratio}): {n} cells do not fill an "
                f"nx x ny grid with nx/ny = {self.aspect_ratio}"
            )
        return nx, n // nx

    def generate_positions(self, n: int) -> np.ndarray:
        nx, ny = self.calculate_size(n)
        ix, iy = np.indices((nx, ny), dtype=float).reshape(2, -1)
        positions = np.array(
            [self.x0 + self.dx * ix, self.y0 + self.dy * iy, np.full(n, float(self.z))]
        )
        return self._random_order(positions)


class Grid3D(BaseStructure):
    """Cells on an nx x ny x nz grid with corner (``x0``, ``y0``, ``z0``).

    ``aspect_ratioXY`` = nx / ny, ``aspect_ratioXZ`` = nx / nz; ``n`` must factor exactly.
    Sequential fill varies z fastest, then y, then x.
    """

    parameter_names = ("aspect_ratios", "dx", "dy", "dz", "x0", "y0", "z0", "fill_order")

    def __init__(
        self,
        aspect_ratioXY: float = 1.0,
        aspect_ratioXZ: float = 1.0,
        dx: float = 1.0,
        dy: float = 1.0,
        dz: float = 1.0,
        x0: float = 0.0,
        y0: float = 0.0,
        z0: float = 0,
        fill_order: str = "sequential",
        rng=None,
    ):
        _check_fill_order(fill_order)
        self.aspect_ratios = (aspect_ratioXY, aspect_ratioXZ)
        self.dx, self.dy, self.dz = dx, dy, dz
        self.x0, self.y0, self.z0 = x0, y0, z0
        self.fill_order = fill_order
        self.rng = rng

    def calculate_size(self, n: int) -> tuple[int, int, int]:
        """(nx, ny, nz) for ``n`` cells; InvalidDimensionsError if they do not factor."""
        a, b = self.aspect_ratios
        nx = int(round((n * a * b) ** (1.0 / 3.0)))
        ny = int(round(nx / a)) if a else 0
        nz = int(round(nx / b)) if b else 0
        if nx * ny * nz != n:
            raise InvalidDimensionsError(
                f"Grid3D(aspect_ratioXY={a}, aspect_ratioXZ={b}): {n} cells do not fill an "
                f"nx x ny x nz grid (nearest: {nx} x {ny} x {nz} = {nx * ny * nz})"
            )
        return nx, ny, nz

    def generate_positions(self, n: int) -> np.ndarray:
        nx, ny, nz = self.calculate_size(n)
        ix, iy, iz = np.indices((nx, ny, nz), dtype=float).reshape(3, -1)
        positions = np.array(
            [self.x0 + self.dx * ix, self.y0 + self.dy * iy, self.z0 + self.dz * iz]
        )
        return self._random_order(positions)


class Shape:
    """A volume, centred on the origin, from which ``RandomStructure`` samples positions."""

    def sample(self, n: int, rng) -> np.ndarray:
        """``n`` points uniformly distributed in the volume, shape (n, 3)."""
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None


class Cuboid(Shape):
    """A box of extent ``width`` (x), ``height`` (y) and ``depth`` (z), centred on the origin."""

    def __init__(self, width: float, height: float, depth: float):
        self.width, self.height, self.depth = width, height, depth

    def __repr__(self) -> str:
        return f"Cuboid(width={self.width!r}, height={self.height!r}, depth={self.depth!r})"

    def sample(self, n: int, rng) -> np.ndarray:
        return 0.5 * rng.uniform(-1, 1, size=(n, 3)) * (self.width, self.height, self.depth)


class Sphere(Shape):
    """A ball of ``radius`` centred on the origin."""

    def __init__(self, radius: float):
        self.radius = radius

    def __repr__(self) -> str:
        return f"Sphere(radius={self.radius!r})"

    def sample(self, n: int, rng) -> np.ndarray:
        # rejection from the enclosing cube, in batches; the accepted points are the
        # same, in the same order, as drawing one candidate at a time
        out = np.empty((0, 3))
        while out.shape[0] < n:
            need = n - out.shape[0]
            candidates = rng.uniform(-1, 1, size=(int(need * 2.0) + 8, 3))
            inside = candidates[(candidates**2).sum(axis=1) < 1]
            out = np.concatenate([out, inside[:need]])
        return self.radius * out


class RandomStructure(BaseStructure):
    """Cells placed uniformly at random in ``boundary`` (a :class:`Shape`) centred on ``origin``.

    The default ``rng`` is an unseeded :class:`NumpyRNG`, as in PyNN.
    """

    parameter_names = ("boundary", "origin", "rng")

    def __init__(self, boundary: Shape, origin=(0.0, 0.0, 0.0), rng=None):
        if not isinstance(boundary, Shape):
            raise InvalidParameterValueError(
                f"RandomStructure: boundary must be a Shape (Cuboid, Sphere), not {boundary!r}"
            )
        if len(origin) != 3:
            raise InvalidDimensionsError(
                f"RandomStructure: origin must be (x, y, z), not {origin!r}"
            )
        self.boundary = boundary
        self.origin = origin
        self.rng = rng if rng is not None else NumpyRNG()

    def generate_positions(self, n: int) -> np.ndarray:
        return (np.asarray(self.origin, dtype=float) + self.boundary.sample(n, self.rng)).T
