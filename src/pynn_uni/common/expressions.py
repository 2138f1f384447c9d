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
formula is compiled, with a message naming it.  Division by zero and overflow inside numpy
give inf/nan, as numpy does.
"""

from __future__ import annotations

import ast
from types import SimpleNamespace
from typing import Any

import numpy as np

from pynn_uni.common.units import is_number
from pynn_uni.errors import InvalidParameterValueError

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "DistanceExpression",
    "Expression",
    "IndexBasedExpression",
    "compile_distance_expression",
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
        self.expression = expression
        tree = _checked_tree(expression, self.variables)
        self._code = compile(tree, f"<expression {expression!r}>", "eval")

    def __call__(self, *values):
        if len(values) != len(self.variables):
            raise TypeError(
                f"{self!r} takes {len(self.variables)} values ({', '.join(self.variables)}), "
                f"got {len(values)}"
            )
        namespace = dict(FUNCTIONS, **CONSTANTS, np=_NUMPY, numpy=_NUMPY)
        namespace.update(zip(self.variables, values, strict=True))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return eval(self._code, {"__builtins__": {}}, namespace)  # noqa: S307 - checked AST

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


def _refuse(expression: str, problem: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(f"expression {expression!r}: {problem}")


def _checked_tree(expression: str, variables: tuple[str, ...]) -> ast.Expression:
    """The syntax tree of ``expression``, checked against the grammar, with integer
    constants turned into floats."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as err:
        why = getattr(err, "msg", None) or type(err).__name__
        raise InvalidParameterValueError(f"cannot parse expression {expression!r}: {why}") from err
    modules: set[int] = set()  # Name nodes that are the ``np`` of a valid ``np.exp``
    for node in ast.walk(tree):  # breadth first: a parent before its children
        problem = _problem(node, variables, modules)
        if problem:
            raise _refuse(expression, problem)
    _check_powers(tree.body, expression)
    return ast.fix_missing_locations(_FloatConstants().visit(tree))


def _problem(node: ast.AST, variables: tuple[str, ...], modules: set[int]) -> str | None:
    """What is wrong with one node, or None."""
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
    elif isinstance(node, ast.Attribute):
        if not (
            isinstance(node.value, ast.Name)
            and node.value.id in _MODULES
            and (node.attr in FUNCTIONS or node.attr in CONSTANTS)
        ):
            return f"attribute {node.attr!r} is not allowed (only np.<function>)"
        modules.add(id(node.value))
    elif isinstance(node, ast.Name):
        allowed = node.id in variables or node.id in FUNCTIONS or node.id in CONSTANTS
        if not allowed and id(node) not in modules:
            return _unknown(node.id, variables)
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
    every evaluation, or, left as Python ints, run for ever."""
    children = [_check_powers(child, expression) for child in ast.iter_child_nodes(node)]
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return None
        try:
            return float(node.value)
        except OverflowError:
            digits = len(str(node.value))
            raise _refuse(expression, f"a {digits}-digit number is too large") from None
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
        try:
            value = _ARITHMETIC[type(node.op)](left, right)
        except OverflowError:
            raise _refuse(
                expression, f"{ast.unparse(node)} is too large for a float (refused, not computed)"
            ) from None
        except ArithmeticError:  # division by zero: numpy's inf/nan at evaluation
            return None
        return value if isinstance(value, float) else None  # a negative base's root: complex
    return None


class _FloatConstants(ast.NodeTransformer):
    """Integer constants as floats, so no exact integer arithmetic (unbounded) runs."""

    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.copy_location(ast.Constant(float(node.value)), node)
        return node
