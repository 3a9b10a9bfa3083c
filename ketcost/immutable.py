"""`@immutable`: a frozen, slotted dataclass that is quick to make and quick to build.

`dataclasses` writes a class's methods as source text and compiles each one: with frozen and
slots, six compiles a class, about half a millisecond, and ketcost's start-up made some two dozen
such classes. Here `dataclasses` still records the fields (so `dataclasses.fields`, `replace`
and pydantic's schema see an ordinary dataclass) and makes the slots, and the methods are made
without compiling anything per class:
- `__init__` comes from one template compiled per shape (how many positional and keyword-only
  fields), its parameters renamed to the fields; it sets each slot through its descriptor, about
  a third of the time of a frozen dataclass's `object.__setattr__` calls;
- `__repr__`, `__eq__` and `__hash__` work from the fields' values, as a frozen dataclass's do;
- assigning or deleting an attribute raises `FrozenInstanceError`; copying and pickling work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_TEMPLATES: dict[tuple[int, int], CodeType] = {}


def _template(positional: int, keyword: int) -> CodeType:
    """The compiled `__init__` for this many positional and keyword-only fields: parameter `vI`
    is stored with the setter `sI` from the function's globals."""
    shape = (positional, keyword)
    if shape not in _TEMPLATES:
        names = [f"v{index}" for index in range(positional + keyword)]
        parameters = ["self", *names[:positional], *(["*", *names[positional:]] if keyword else [])]
        body = [f"    s{index}(self, {name})" for index, name in enumerate(names)]
        namespace: dict[str, Any] = {}
        source = f"def __init__({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"])
        exec(source, namespace)
        _TEMPLATES[shape] = namespace["__init__"].__code__
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


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def immutable(cls: type[T]) -> type[T]:
    """The class as a frozen, slotted dataclass with a quick `__init__`."""
    made = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    fields = list(dataclasses.fields(made))  # type: ignore[arg-type]
    made.__init__ = _init(made, fields)  # type: ignore[method-assign]
    for name, method in _methods(tuple(field.name for field in fields)).items():
        if method is not _frozen:
            method.__qualname__ = f"{made.__qualname__}.{name}"
        setattr(made, name, method)
    return made
