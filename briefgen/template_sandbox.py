"""The sandbox templates run in: Jinja2's immutable sandbox, further closed (no private or
pydantic attributes, no huge repetitions or powers), over a loader that serves only regular
files inside the template folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from briefgen.errors import Problem, TemplateProblem

# What a template may compute: enough for any wording, too little to exhaust memory or CPU.
MAX_REPEAT_LENGTH = 100_000  # 'x' * n, [..] * n
MAX_EXPONENT = 64  # a ** b


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, further closed.

    Jinja's immutable sandbox: a template cannot change lists, dicts or sets it is given (so it
    cannot alter the briefing for the next template or the next briefing of a batch). Denied
    besides Jinja's own rules: attributes starting with an underscore; everything that
    pydantic's `BaseModel` defines (`model_dump`, and the deprecated `dict`, `json`, `copy`,
    `construct`, `parse_file` — which reads any file —, `parse_raw`, `schema_json`, …), so a
    template sees a briefing's fields, properties and our lookup methods only; and arithmetic
    that would build huge strings or numbers.
    """

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *args: object, **kwargs: object) -> None:
        loader = kwargs.get("loader")
        if isinstance(loader, jinja2.FileSystemLoader) and not isinstance(loader, _ConfinedLoader):
            kwargs["loader"] = _ConfinedLoader(loader.searchpath, loader.encoding, loader.followlinks)
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        # Asked on every attribute a template reads (tens of thousands per long briefing); for
        # anything but a class the answer depends only on the type and the name.
        if isinstance(obj, type):
            return self._is_safe_attribute(obj, attr, value)
        key = (type(obj), attr)
        known = self._safe_attributes.get(key)
        if known is None:
            known = self._safe_attributes[key] = self._is_safe_attribute(obj, attr, value)
        return known

    def _is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        if attr.startswith("_") or attr.startswith("model_"):
            return False
        is_model = isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))
        if is_model and hasattr(BaseModel, attr):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: object, right: object
    ) -> object:
        if (
            operator == "**"
            and isinstance(right, int | float)
            and _is_number(left)
            and _is_number(right)
            and abs(right) > MAX_EXPONENT
        ):
            raise SecurityError(f"exponent {right} is too large (limit {MAX_EXPONENT})")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > MAX_REPEAT_LENGTH
                ):
                    raise SecurityError(
                        f"repeating a {type(seq).__name__} {times} times is too large "
                        f"(limit {MAX_REPEAT_LENGTH} items)"
                    )
        return super().call_binop(context, operator, left, right)


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A file-system loader that serves only files really inside its folders: a symbolic link
    in a template folder received from elsewhere cannot pull in ~/.ssh/id_rsa or /etc/passwd.
    Template files are read as every input is (`briefgen.intake`): a regular file (a named pipe
    or device is refused, never read), at most `intake.TEMPLATE_LIMIT` bytes, UTF-8; anything
    else is a located `TemplateProblem`."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_text

        pieces = jinja2.loaders.split_template_path(template)
        # `exists`, not `isfile`: a pipe or device named like a template is refused below rather
        # than silently passed over for the built-in template of that name.
        found = (os.path.join(root, *pieces) for root in self.searchpath)
        filename = next((f for f in found if os.path.exists(f)), None)
        if filename is None:
            raise jinja2.TemplateNotFound(template)
        real = Path(filename).resolve()
        roots = [Path(p).resolve() for p in self.searchpath]
        if not any(real.is_relative_to(root) for root in roots):
            refused = f"refused: the template file links to {real}, outside the template folders"
            raise TemplateProblem(problems=[Problem(refused, file=filename)])
        try:
            source = read_text(Path(filename), TEMPLATE_LIMIT, "template")
        except InputRefused as exc:
            raise TemplateProblem(problems=[Problem(f"template file {exc.reason}", file=filename)]) from None
        mtime = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        return source, os.path.normpath(filename), uptodate


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
