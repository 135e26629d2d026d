"""The Jinja environment that turns Bundle components into XML, and the errors it can raise.

Lookup order (one place, as dbt-core's macro resolver states it):
1. the user's template folder (`--templates DIR`), when given: a file there wins over a built-in
   of the same name, `macros.j2` included (its macros are the small override points);
2. the built-in templates (`resources.templates_dir()`), also reachable as `builtin/<name>` so a
   user's template can import or extend the one it replaces.

Values are escaped for XML on output (autoescape, with `&quot;`/`&apos;` as Salesforce writes them;
line breaks as `&#10;`/`&#13;` so that nesting a template never changes a value), booleans print
as `true`/`false`, and printing `None` or an undefined name is an error, never the text "None".
jinja2 is imported only when rendering starts.
"""

from __future__ import annotations

import contextlib
import functools
import re
import traceback
from pathlib import Path

from leadsync.diagnostics import Diagnostic, Span, error
from leadsync.errors import LeadsyncError
from leadsync.resources import templates_dir

TEMPLATE_ERROR = "LS901"

# Root element (metadata type) -> the template that renders it; schema.py names templates with it.
TEMPLATE_FOR = {
    "CustomObject": "CustomObject.xml.j2",
    "CustomField": "CustomField.xml.j2",
    "BusinessProcess": "BusinessProcess.xml.j2",
    "RecordType": "RecordType.xml.j2",
    "ValidationRule": "ValidationRule.xml.j2",
    "StandardValueSet": "StandardValueSet.xml.j2",
    "Flow": "Flow.xml.j2",
    "PermissionSet": "PermissionSet.xml.j2",
    "CustomPermission": "CustomPermission.xml.j2",
    "ApexClass": "ApexClass.xml.j2",
    "LeadConfigSettings": "LeadConfigSettings.xml.j2",
    "Package": "package.xml.j2",
}
# Children of the mdapi Lead.object: element name -> metadata type.
CHILD_TYPES = {
    "fields": "CustomField",
    "businessProcesses": "BusinessProcess",
    "recordTypes": "RecordType",
    "validationRules": "ValidationRule",
}

_XML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;"}
)

_SPECIAL = re.compile(r"[\"'\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class RenderError(LeadsyncError):
    """A template failed: names the template (file and line) and the component being rendered."""

    def __init__(self, message: str, diagnostic: Diagnostic):
        super().__init__(message)
        self.diagnostic = diagnostic


def xml_text(value: str) -> str:
    return value.translate(_XML_ESCAPES)


_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -_")


def picklist_ref(value: str) -> str:
    """A picklist value named inside a BusinessProcess or RecordType, URL-encoded as Salesforce
    writes it there (`Can't` -> `Can%27t`, `Inc.` -> `Inc%2E`; letters, digits, space, `-`, `_` stay).
    metadata/parse.py decodes it back."""
    return "".join(ch if ch in _PLAIN else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in value)


@functools.lru_cache(maxsize=8)
def environment(template_dir: Path | None = None):
    """The (cached) Jinja environment for a user folder, or for the built-ins alone."""
    import jinja2
    from markupsafe import Markup, escape

    from leadsync.metadata import model

    def finalize(value):
        # Autoescape then escapes what this returns unless it is Markup: plain text goes back as str
        # (markupsafe's C escape handles & < >), text with quotes or line breaks is escaped here.
        if isinstance(value, Markup):
            return value
        if value is None:
            raise jinja2.TemplateRuntimeError("a value is None; test it with `is not none` before printing it")
        if value is True or value is False:
            return "true" if value else "false"
        text = str(value)
        if _SPECIAL.search(text) is None:
            return text
        bad = _XML_ILLEGAL.search(text)
        if bad:
            raise jinja2.TemplateRuntimeError(
                f"{text[:40]!r} holds U+{ord(bad.group()):04X}, a character XML 1.0 cannot hold"
            )
        return Markup(xml_text(text))

    def nest(value, width: int = 4):
        """Indent every non-empty line by `width` spaces (line breaks inside values are &#10;)."""
        pad = " " * width
        return Markup("\n".join(pad + line if line else line for line in str.split(escape(value), "\n")))

    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    loaders = [jinja2.FileSystemLoader(str(template_dir))] if template_dir else []
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
        finalize=finalize,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["nest"] = nest
    env.filters["picklist_ref"] = picklist_ref
    env.tests["picklist_field"] = lambda f: isinstance(f, model.PicklistField)
    env.tests["datetime_field"] = lambda f: isinstance(f, model.DateTimeField)
    return env


def _bytecode_cache():
    """Compiled templates cached on disk (Jinja checks each template's source checksum), as the
    schema is: `leadsync validate` in a fresh process must not recompile every template. None when
    the cache folder cannot be written."""
    import jinja2

    from leadsync.cachedir import cache_dir

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            with contextlib.suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket):
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = cache_dir("jinja")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietCache(str(folder))


def render(name: str, node: str, template_dir: Path | None = None, **context) -> str:
    """Render template `name` for the spec node `node` (e.g. "CustomField Lead.Lead_Stage__c")."""
    env = environment(template_dir)
    with catch_jinja(name, node):
        return env.get_template(name).render(**context)


@contextlib.contextmanager
def catch_jinja(name: str, node: str):
    """Turn an error raised inside a template into a RenderError that says where (dbt's catch_jinja)."""
    import jinja2

    try:
        yield
    except jinja2.TemplateSyntaxError as err:
        raise _render_error(err, name, node, err.filename or name, err.lineno) from err
    except jinja2.TemplateNotFound as err:
        # blame the template whose extends/include/import names the missing one (an override's line)
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith(".j2")]
        if not frames:
            raise _render_error(err, name, node, err.name or name, 0) from err
        missing = jinja2.TemplateNotFound(f"no template named {err.name!r} (in extends, include or import)")
        raise _render_error(missing, name, node, frames[-1].filename, frames[-1].lineno) from err
    except Exception as err:  # noqa: BLE001 — only errors raised from template code are converted
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith(".j2")]
        if not frames and not isinstance(err, jinja2.TemplateError):
            raise
        where = frames[-1] if frames else None
        raise _render_error(err, name, node, where.filename if where else name, where.lineno if where else 0) from err


def _render_error(err: Exception, name: str, node: str, path: str, line: int | None) -> RenderError:
    detail = getattr(err, "message", None) or str(err) or type(err).__name__
    message = f"template {Path(path).name} failed while rendering {node}: {detail}"
    if Path(path).name != name:
        message += f" (included from {name})"
    return RenderError(message, error(TEMPLATE_ERROR, message, Span(path, line or 1, 1)))
