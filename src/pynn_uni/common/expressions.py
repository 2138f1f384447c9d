"""Formulas given as strings (``"exp(-d/100)"``) and functions of cell indices ``f(i, j)``.

Every string formula pynn_uni accepts (a connector's ``d_expression``, a synapse parameter
such as ``weight="0.1 * exp(-d/50)"``) goes through :class:`Expression`, so there is one
grammar and one set of guards.  The text is parsed and checked on its syntax tree, never
``eval``'d as given.  Allowed: numbers, the variables the caller binds (``d``, the distance
in µm, for both uses today), ``+ - * / // % **``, comparisons, ``& | ~``, the constants
``pi``, ``e``, ``inf`` and the numpy functions in :data:`FUNCTIONS`, called by name
(``exp(d)``) or as ``np.exp(d)`` / ``numpy.exp(d)``.  Refused: any other name or attribute,
calls of anything but those functions, keyword arguments, subscripts, lambdas,
comprehensions, strings.

Evaluation is bounded, because a formula is user input that runs inside ``Projection()``:
integer constants become floats (Python's exact ``9**9**9`` would run for minutes, a float
power overflows at once), and a constant power that overflows a float is refused when the
formula is compiled, with a message naming it; so is a constant part that divides by zero,
overflows or is not a real number (``1/0``, ``1e309``, ``(-8)**0.5``).  A formula longer than
:data:`MAX_LENGTH` characters or nested deeper than :data:`MAX_DEPTH` is refused before it is
compiled (Python's own compiler would fail with a ``RecursionError``), and every function is
called with its own number of arguments (``exp(d, d)`` would write into ``d``).  Division by
zero and overflow that depend on ``d`` give inf/nan, as numpy does: where a value is used
(a probability, a weight, a delay), :func:`first_bad` finds the first such value so that the
user of the formula can refuse it by name.
"""

from __future__ import annotations

import ast
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

from pynn_uni.common.units import is_number
from pynn_uni.errors import InvalidParameterValueError

__all__ = [
    "CONSTANTS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "FUNCTIONS",
    "DistanceExpression",
    "Expression",
    "IndexBasedExpression",
    "as_floats",
    "compile_distance_expression",
    "described",
    "first_bad",
    "shown",
]

#: numpy functions a formula may call (elementwise on float arrays; no ``ldexp``, which
#: needs integers, and every constant of a formula is a float)
FUNCTIONS: dict[str, Any] = {
    name: getattr(np, name)
    for name in (
        "exp sqrt sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh log log10 abs fabs "
        "minimum maximum where floor ceil fmod hypot power"
    ).split()
}
#: how many arguments each function takes (everything else: one); numpy's ufuncs also take
#: an ``out`` array positionally, which a formula must never reach
ARITY: dict[str, int] = {
    **dict.fromkeys(("minimum", "maximum", "arctan2", "fmod", "hypot", "power"), 2),
    "where": 3,
}
#: longest formula accepted, in characters (a formula is a line of a script, not a program)
MAX_LENGTH = 10_000
#: deepest nesting of a formula's syntax tree (parentheses, calls, operators in a chain)
MAX_DEPTH = 200
#: named constants a formula may use
CONSTANTS: dict[str, float] = {"pi": np.pi, "e": np.e, "inf": np.inf}
_NUMPY = SimpleNamespace(**FUNCTIONS, **CONSTANTS)  # what ``np.`` / ``numpy.`` reach
_MODULES = ("np", "numpy")
_NODES = tuple(
    getattr(ast, name)
    for name in (
        "Expression BinOp UnaryOp Compare Call Name Load Constant Attribute Add Sub Mult Div "
        "FloorDiv Mod Pow USub UAdd Lt LtE Gt GtE Eq NotEq BitAnd BitOr Invert"
    ).split()
)
_ARITHMETIC = {
    ast.Add: float.__add__,
    ast.Sub: float.__sub__,
    ast.Mult: float.__mul__,
    ast.Div: float.__truediv__,
    ast.FloorDiv: float.__floordiv__,
    ast.Mod: float.__mod__,
    ast.Pow: float.__pow__,
}


class Expression:
    """A string formula, checked and compiled once, called with one array per variable.

    ``Expression("exp(-d/100)")(d)`` evaluates on an array (or a number) ``d``;
    ``variables`` names what the caller binds, in call order.  Raises
    :class:`~pynn_uni.errors.InvalidParameterValueError` naming the formula for anything
    outside the grammar of the module docstring.
    """

    variables: tuple[str, ...] = ("d",)

    def __init__(self, expression: str, variables: tuple[str, ...] | None = None):
        if variables is not None:
            self.variables = tuple(variables)
        if not isinstance(expression, str):
            raise InvalidParameterValueError(
                f"an expression must be a string, not {type(expression).__name__} {expression!r}"
            )
        self.expression = expression
        tree = _checked_tree(expression, self.variables)
        self._code = compile(tree, "<expression>", "eval")

    def __call__(self, *values):
        if len(values) != len(self.variables):
            raise TypeError(
                f"{self!r} takes {len(self.variables)} values ({', '.join(self.variables)}), "
                f"got {len(values)}"
            )
        namespace = dict(FUNCTIONS, **CONSTANTS, np=_NUMPY, numpy=_NUMPY)
        # a Python number would follow Python's rules (1/0 raises, (-8)**0.5 is complex)
        values = [np.float64(v) if isinstance(v, (int, float)) else v for v in values]
        namespace.update(zip(self.variables, values, strict=True))
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                result = eval(self._code, {"__builtins__": {}}, namespace)  # noqa: S307 - checked AST
        except (TypeError, ValueError, ArithmeticError) as err:  # e.g. ``d & 1.0`` on floats
            raise _refuse(self.expression, f"cannot be evaluated: {err}") from None
        if np.asarray(result).dtype.kind not in "biuf":
            raise _refuse(self.expression, f"gives {type(result).__name__}, not numbers")
        return result

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.expression == self.expression
            and other.variables == self.variables
        )

    def __hash__(self):
        return hash((self.expression, self.variables))

    def __reduce__(self):  # the compiled code does not pickle: compile again
        return type(self), (self.expression, self.variables)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.expression!r})"


class DistanceExpression(Expression):
    """A formula in the distance ``d`` (µm) between the two cells of a connection."""

    variables = ("d",)


def compile_distance_expression(expression: str) -> DistanceExpression:
    """``f(d)`` for a formula in ``d`` such as ``"exp(-d/100)"`` (see :class:`Expression`)."""
    return DistanceExpression(expression)


class IndexBasedExpression:
    """Base class of functions ``f(i, j)`` of pre index ``i`` and post index ``j``.

    Subclasses implement ``__call__(i, j)`` on integer arrays (broadcast shapes) and
    may read ``self.projection`` (and ``self.context``, a
    :class:`~pynn_uni.common.connectors.ConnectionContext`), which are set on a copy
    before each use.
    """

    def __init__(self):
        self.projection = None
        self.context = None

    def __call__(self, i, j):
        raise NotImplementedError


# -- checking a formula ---------------------------------------------------------------------


def shown(expression: str, limit: int = 1000) -> str:
    """``repr`` of a formula for a message, shortened when it is very long."""
    if len(expression) <= limit:
        return repr(expression)
    return f"{expression[:80]!r}... ({len(expression)} characters)"


def described(function) -> str:
    """How a message names a formula or a user's function: its text, or its name."""
    if isinstance(function, (str, Expression)):
        return shown(getattr(function, "expression", function))
    return getattr(function, "__name__", None) or type(function).__name__


def as_floats(values, where: str, kind: str = "numbers") -> np.ndarray:
    """What a formula or a user's function returned, as a float array; anything else (a
    string, None in a list, an object) is refused naming ``where``."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterValueError(
            f"{where} returned {type(values).__name__}, not {kind}"
        ) from None


def first_bad(values, low: float = -np.inf, high: float = np.inf):
    """Index (into the flattened ``values``) of the first value that is not a number in
    [``low``, ``high``] (NaN, an overflow to inf, a division by zero), or None: the
    check a user of a formula makes where its values are used."""
    values = np.asarray(values, dtype=float)
    bad = ~((values >= low) & (values <= high))
    if low == -np.inf and high == np.inf:
        bad |= ~np.isfinite(values)
    if not bad.any():
        return None
    return int(np.argmax(bad.ravel()))


def _refuse(expression: str, problem: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(f"expression {shown(expression)}: {problem}")


def _checked_tree(expression: str, variables: tuple[str, ...]) -> ast.Expression:
    """The syntax tree of ``expression``, checked against the grammar, with integer
    constants turned into floats."""
    if len(expression) > MAX_LENGTH:
        raise _refuse(expression, f"longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # '1d' warns before it fails: the error says it
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as err:
        why = getattr(err, "msg", None) or type(err).__name__
        raise InvalidParameterValueError(
            f"cannot parse expression {shown(expression)}: {why}"
        ) from None
    if _depth(tree) > MAX_DEPTH:
        raise _refuse(expression, f"nested more than {MAX_DEPTH} deep")
    modules: set[int] = set()  # Name nodes that are the ``np`` of a valid ``np.exp``
    for node in ast.walk(tree):  # breadth first: a parent before its children
        problem = _problem(node, variables, modules)
        if problem:
            raise _refuse(expression, problem)
    _check_powers(tree.body, expression)
    return ast.fix_missing_locations(_FloatConstants().visit(tree))


def _depth(tree: ast.AST) -> int:
    """Depth of a syntax tree (up to ``MAX_DEPTH + 1``), counted without recursion: a deep
    tree is what is refused."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # no need to look further
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _problem(node: ast.AST, variables: tuple[str, ...], modules: set[int]) -> str | None:
    """What is wrong with one node, or None.  ``modules`` collects the ids of the ``np`` of
    ``np.exp`` and of the functions that are called (parents are seen before children)."""
    if not isinstance(node, _NODES):
        return (
            f"{type(node).__name__} is not allowed (only arithmetic, comparisons, numbers, "
            f"{', '.join(variables)} and numpy functions)"
        )
    if isinstance(node, ast.Call):
        if node.keywords:
            return "only plain calls of numpy functions are allowed (no keyword arguments)"
        func = node.func
        if isinstance(func, ast.Name) and func.id not in FUNCTIONS:
            if func.id in variables or func.id in CONSTANTS:
                return f"{func.id!r} is not a function"
            return _unknown(func.id, variables)
        if isinstance(func, ast.Attribute) and func.attr not in FUNCTIONS:
            return f"{ast.unparse(func)!r} is not a function"
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return "only plain calls of numpy functions are allowed"
        name = func.id if isinstance(func, ast.Name) else func.attr
        arity = ARITY.get(name, 1)
        if len(node.args) != arity:
            return f"{name}() takes {arity} argument{'s' * (arity > 1)}, got {len(node.args)}"
        modules.add(id(func))
    elif isinstance(node, ast.Compare) and len(node.ops) > 1:
        return "a chained comparison (a < b < c) is not allowed; write (a < b) & (b < c)"
    elif isinstance(node, ast.Attribute):
        if not (
            isinstance(node.value, ast.Name)
            and node.value.id in _MODULES
            and (node.attr in FUNCTIONS or node.attr in CONSTANTS)
        ):
            return f"attribute {node.attr!r} is not allowed (only np.<function>)"
        if node.attr in FUNCTIONS and id(node) not in modules:
            return f"{ast.unparse(node)!r} is a function: call it"
        modules.add(id(node.value))
    elif isinstance(node, ast.Name):
        allowed = node.id in variables or node.id in FUNCTIONS or node.id in CONSTANTS
        if not allowed and id(node) not in modules:
            return _unknown(node.id, variables)
        if node.id in FUNCTIONS and node.id not in variables and id(node) not in modules:
            return f"{node.id!r} is a function: call it"
    elif isinstance(node, ast.Constant) and not is_number(node.value):
        return f"constant {node.value!r} is not a number"
    return None


def _unknown(name: str, variables: tuple[str, ...]) -> str:
    return f"unknown name {name!r}; allowed: " + ", ".join(
        [*variables, *sorted({*FUNCTIONS, *CONSTANTS})]
    )


def _check_powers(node: ast.AST, expression: str) -> float | None:
    """The float value of a constant sub-expression (None if not constant), refusing a
    constant power (or number) too large for a float: it would otherwise overflow at
    every evaluation, or, left as Python ints, run for ever.  Also refused: a constant
    part that divides by zero, is not a number or is complex (Python raises or returns a
    complex where numpy would give inf/nan), and a literal beyond the float range."""
    children = [_check_powers(child, expression) for child in ast.iter_child_nodes(node)]
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return None
        try:
            value = float(node.value)
        except OverflowError:
            digits = len(str(node.value))
            raise _refuse(expression, f"a {digits}-digit number is too large") from None
        if not np.isfinite(value):  # only a literal such as 1e309 parses to inf
            raise _refuse(expression, "a number beyond the float range (write inf)")
        return value
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.Attribute) and node.attr in CONSTANTS:
        return CONSTANTS[node.attr]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = children[-1]
        return None if operand is None else (-operand if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = children[0], children[-1]
        if left is None or right is None:
            return None
        part = ast.unparse(node)
        try:
            value = _ARITHMETIC[type(node.op)](left, right)
        except OverflowError:
            raise _refuse(
                expression, f"{part} is too large for a float (refused, not computed)"
            ) from None
        except ArithmeticError:
            raise _refuse(expression, f"{part} divides by zero") from None
        if not isinstance(value, float):  # a negative base's fractional power
            raise _refuse(expression, f"{part} is not a real number")
        if np.isnan(value) or (np.isinf(value) and np.isfinite([left, right]).all()):
            raise _refuse(expression, f"{part} gives {value} (a float overflows or is undefined)")
        return value
    return None


class _FloatConstants(ast.NodeTransformer):
    """Integer constants as floats, so no exact integer arithmetic (unbounded) runs."""

    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.copy_location(ast.Constant(float(node.value)), node)
        return node
