"""Zip files in and out of the Metadata API: a deploy's package, a retrieve's result.

With singlePackage the package sits at the zip's root; without, in one folder of its own (any name,
`unpackaged/` by convention). Paths keep that folder, because Salesforce names files by their path in
the zip (`unpackaged/objects/Lead.object`) in every message.
"""

from __future__ import annotations

import io
import zipfile

MAX_FILES = 10_000
MAX_BYTES = 400 * 1024 * 1024  # Salesforce refuses deploys over 400 MB unzipped
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


class BadPackage(Exception):
    """The zip cannot be read, or holds no package.xml where it should."""


def unzip(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_BYTES:
            raise BadPackage("the zip file is too large")
        files = {}
        for info in infos:
            name = info.filename.replace("\\", "/").lstrip("/")
            if ".." in name.split("/"):
                raise BadPackage(f"unsafe path in the zip file: {name}")
            files[name] = archive.read(info)
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise BadPackage(f"the zip file is not valid: {err}") from None


def package_root(files: dict[str, bytes], single_package: bool) -> str:
    """The folder prefix holding package.xml ("" at the root)."""
    if single_package:
        if "package.xml" in files:
            return ""
    else:
        roots = {name.split("/", 1)[0] for name in files if "/" in name}
        candidates = [r for r in roots if f"{r}/package.xml" in files]
        if len(candidates) == 1:
            return candidates[0] + "/"
    raise BadPackage("No package.xml found")


def build_zip(files: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted paths, fixed timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def manifest_xml(types: dict[str, list[str]], version: str) -> bytes:
    """A package.xml listing `types` (in Salesforce's order: types by name, members sorted)."""
    from xml.sax.saxutils import escape

    body = "".join(
        "    <types>\n"
        + "".join(f"        <members>{escape(m)}</members>\n" for m in sorted(members))
        + f"        <name>{escape(name)}</name>\n    </types>\n"
        for name, members in sorted(types.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        f"{body}    <version>{escape(version)}</version>\n</Package>\n"
    ).encode()
