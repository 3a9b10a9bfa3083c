"""`@immutable`: a frozen, slotted dataclass that is quick to make and quick to build.

`dataclasses.dataclass` works out a class's fields and writes its methods as source text,
compiling each one: with frozen and slots, some 0.15 to 0.5 ms a class, and a run of ketcost made
some two dozen such classes before it printed anything. Here nothing is compiled per class and the
fields are read straight from the class body:
- the fields are the class's own annotations, in order, with their defaults (a plain value or
  `dataclasses.field(default=..., kw_only=...)`); they are recorded as `dataclasses.Field`s in
  `__dataclass_fields__`, as `dataclasses.dataclass` records them, so `dataclasses.fields`,
  `replace` and `asdict` and pydantic's schema (`ketcost schema`) see an ordinary dataclass;
- `__init__` comes from one template compiled per shape (how many positional and keyword-only
  fields), its parameters renamed to the fields; it sets each slot through its descriptor, about
  a third of the time of a frozen dataclass's `object.__setattr__` calls;
- `__repr__`, `__eq__` and `__hash__` work from the fields' values, as a frozen dataclass's do;
- assigning or deleting an attribute raises `FrozenInstanceError`; copying and pickling work.
`tests/test_immutable.py` checks all of this against what `dataclasses` does.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_TEMPLATES: dict[tuple[int, int], CodeType] = {}


def template_source(positional: int, keyword: int, name: str = "__init__") -> str:
    """The `__init__` for this many positional and keyword-only fields, as source: parameter
    `vI` is stored with the setter `sI` from the function's globals."""
    names = [f"v{index}" for index in range(positional + keyword)]
    parameters = ["self", *names[:positional], *(["*", *names[positional:]] if keyword else [])]
    body = [f"    s{index}(self, {name})" for index, name in enumerate(names)]
    return f"def {name}({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]) + "\n"


def _template(positional: int, keyword: int) -> CodeType:
    """The compiled `__init__` for this many positional and keyword-only fields: from
    `ketcost._inits` (compiled with the package) for the shapes ketcost's classes have, else
    compiled here (about 0.1 to 0.3 ms a shape, so ketcost's own never are)."""
    shape = (positional, keyword)
    if shape not in _TEMPLATES:
        from ketcost import _inits

        shipped = getattr(_inits, f"init_{positional}_{keyword}", None)
        if shipped is not None:
            code = shipped.__code__.replace(co_name="__init__", co_qualname="__init__")
        else:
            namespace: dict[str, Any] = {}
            exec(template_source(positional, keyword), namespace)
            code = namespace["__init__"].__code__
        _TEMPLATES[shape] = code
    return _TEMPLATES[shape]


def _init(made: type, fields: list[dataclasses.Field[Any]]) -> Callable[..., None]:
    positional = [field for field in fields if not field.kw_only]
    keyword = [field for field in fields if field.kw_only]
    ordered = positional + keyword  # dataclass order: keyword-only parameters come last
    for field in ordered:
        if field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{made.__name__}.{field.name}: @immutable takes no default_factory")
    code = _template(len(positional), len(keyword))
    code = code.replace(co_varnames=("self", *(field.name for field in ordered)))
    setters = {f"s{i}": getattr(made, field.name).__set__ for i, field in enumerate(ordered)}
    defaults = tuple(f.default for f in positional if f.default is not dataclasses.MISSING)
    init = FunctionType(code, setters, "__init__", defaults or None)
    init.__kwdefaults__ = {
        f.name: f.default for f in keyword if f.default is not dataclasses.MISSING
    } or None
    init.__qualname__ = f"{made.__qualname__}.__init__"
    return init


def _frozen(self: object, name: str, *_: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _methods(names: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """repr, equality, hash, copying and pickling, from the values of the fields `names`."""
    values: Callable[[Any], tuple[Any, ...]]
    if len(names) > 1:
        values = attrgetter(*names)  # a tuple of the values, made in C
    else:
        values = lambda self: tuple(getattr(self, name) for name in names)  # noqa: E731

    def shown(self: Any) -> str:
        text = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({text})"

    def equal(self: Any, other: object) -> object:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def hashed(self: Any) -> int:
        return hash(values(self))

    def state(self: Any) -> tuple[Any, ...]:
        return values(self)

    def restore(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return {
        "__repr__": shown,
        "__eq__": equal,
        "__hash__": hashed,
        "__getstate__": state,
        "__setstate__": restore,
        "__setattr__": _frozen,
        "__delattr__": _frozen,
    }


def _fields(cls: type) -> list[dataclasses.Field[Any]]:
    """The class's own annotated fields, as `dataclasses.dataclass` would record them."""
    found = []
    for name, kind in inspect.get_annotations(cls).items():
        value = cls.__dict__.get(name, dataclasses.MISSING)
        field: dataclasses.Field[Any] = (
            value if isinstance(value, dataclasses.Field) else dataclasses.field(default=value)
        )
        field.name, field.type = name, kind
        field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # what fields() reads
        if field.kw_only is dataclasses.MISSING:
            field.kw_only = False
        found.append(field)
    return found


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def immutable(cls: type[T]) -> type[T]:
    """The class as a frozen, slotted dataclass with a quick `__init__`."""
    fields = _fields(cls)
    names = tuple(field.name for field in fields)
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in names and key not in ("__dict__", "__weakref__")
    }
    namespace["__slots__"] = names
    namespace["__dataclass_fields__"] = {field.name: field for field in fields}
    namespace["__match_args__"] = tuple(field.name for field in fields if not field.kw_only)
    made: type[T] = type(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    made.__init__ = _init(made, fields)  # type: ignore[method-assign]
    for name, method in _methods(names).items():
        if method is not _frozen:
            method.__qualname__ = f"{made.__qualname__}.{name}"
        setattr(made, name, method)
    return made
