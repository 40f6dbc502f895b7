"""`samantha models pull`: download a GGUF for the embedded backend with the hub's own client library.

`huggingface_hub` resolves the file (its URL, size, commit and the sha256 the hub keeps for large files)
and streams it with its progress bar and its retries, which resume a dropped connection with an HTTP
range. Samantha keeps the partial file as `NAME.part` in `$SAMANTHA_HOME/models`, so an interrupted
download (ctrl+c, a lost network) resumes where it stopped on the next `pull`; the finished file is
checked against the hub's sha256 and a GGUF header before it is renamed into place, and a file that does
not match is deleted. The hub is `SAMANTHA_HUB_URL` (else `HF_ENDPOINT`, else Hugging Face).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from samantha.errors import ModelFileError, SamanthaError, UsageError
from samantha.llm.catalog import Recommended, models_dir, recommended
from samantha.llm.embedded import GGUF_MAGIC

#: An LFS file's etag is its sha256; a small git-stored file's etag is a git hash, which is not checked.
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024
METADATA_SECONDS = 10.0


class PullError(SamanthaError):
    """The download could not be done; one sentence says why and what to do."""


@dataclass(frozen=True)
class Wanted:
    repo: str
    filename: str
    choice: Recommended | None = None

    @property
    def target(self) -> Path:
        return models_dir() / Path(self.filename).name


def resolve(name: str) -> Wanted:
    """A short name from the recommended list, or `OWNER/REPO/FILE.gguf` on the hub."""
    choice = recommended(name)
    if choice:
        return Wanted(choice.repo, choice.filename, choice)
    parts = name.strip().strip("/").split("/")
    if len(parts) >= 3 and parts[-1].lower().endswith(".gguf") and all(parts):
        return Wanted("/".join(parts[:2]), "/".join(parts[2:]))
    names = ", ".join(r.name for r in _recommended_names())
    raise UsageError(
        f"'{name}' is neither a recommended model ({names}) nor a hub file written OWNER/REPO/FILE.gguf."
    )


def _recommended_names() -> tuple[Recommended, ...]:
    from samantha.llm.catalog import RECOMMENDED

    return RECOMMENDED


def pull(name: str, *, hub_url: str | None = None, progress: bool = True) -> Path:
    """Download `name` into the models folder (resuming a partial file) and return the checked file."""
    wanted = resolve(name)
    target = wanted.target
    if target.is_file():
        return target
    try:
        from huggingface_hub import get_hf_file_metadata, hf_hub_url
        from huggingface_hub.file_download import http_get
        from huggingface_hub.utils import build_hf_headers
    except ImportError:
        raise PullError("The huggingface_hub package is missing; reinstall Samantha.") from None

    hub = (hub_url or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    url = hf_hub_url(wanted.repo, wanted.filename, endpoint=hub)
    try:
        meta = get_hf_file_metadata(url, timeout=METADATA_SECONDS, endpoint=hub)
    except Exception as exc:
        raise _pull_error(exc, wanted, hub) from None

    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    if meta.size is not None and have > meta.size:
        part.unlink()  # not a prefix of this file: start over
        have = 0
    _disable_progress_bars(not progress)
    try:
        with part.open("ab") as out:
            http_get(
                meta.location,
                out,
                resume_size=have,
                headers=build_hf_headers(),
                expected_size=meta.size,
                displayed_filename=target.name,
            )
            out.flush()
            os.fsync(out.fileno())
    except Exception as exc:
        raise _pull_error(exc, wanted, hub, kept=part) from None
    _check(part, meta.etag, wanted)
    os.replace(part, target)
    return target


def _check(part: Path, etag: str | None, wanted: Wanted) -> None:
    """The hub's sha256 (when it keeps one) and a GGUF header, or the file is deleted."""
    if etag and _SHA256.match(etag):
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        if digest.hexdigest() != etag:
            part.unlink()
            raise ModelFileError(
                f"The download of {wanted.filename} does not match the hub's checksum (sha256 "
                f"{digest.hexdigest()[:12]}… instead of {etag[:12]}…), so it was deleted; pull it again."
            )
    with part.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        part.unlink()
        raise ModelFileError(f"The download of {wanted.filename} is not a GGUF model, so it was deleted.")


def _disable_progress_bars(disabled: bool) -> None:
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    (disable_progress_bars if disabled else enable_progress_bars)()


def _pull_error(exc: Exception, wanted: Wanted, hub: str, kept: Path | None = None) -> SamanthaError:
    """One sentence for what went wrong talking to the hub."""
    from huggingface_hub import errors

    where = f"{wanted.repo}/{wanted.filename}"
    if isinstance(exc, SamanthaError):
        return exc
    if isinstance(exc, errors.GatedRepoError):
        return PullError(f"{wanted.repo} is gated: accept its licence on the hub, then set HF_TOKEN.")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return PullError(f"The hub at {hub} has no repository {wanted.repo} (or it is private).")
    if isinstance(exc, errors.EntryNotFoundError | errors.RemoteEntryNotFoundError):
        return PullError(f"The hub at {hub} has no file {wanted.filename} in {wanted.repo}.")
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(exc.response, "status_code", "?") if exc.response is not None else "?"
        return PullError(f"The hub at {hub} answered with an error (HTTP {status}) for {where}.")
    if isinstance(exc, OSError) and exc.errno is not None and not _is_network_error(exc):
        return PullError(f"Writing {wanted.target} failed: {exc.strerror or exc}.")
    if kept is not None and kept.exists():
        return PullError(
            f"The download from the model hub at {hub} stopped before the end; "
            "the part already downloaded is kept and the next pull resumes it."
        )
    return PullError(f"The model hub at {hub} cannot be reached; check the network connection.")


def _is_network_error(exc: BaseException) -> bool:
    name = type(exc).__module__
    return name.startswith(("httpx", "httpcore", "huggingface_hub", "ssl", "socket")) or isinstance(
        exc, ConnectionError | TimeoutError
    )
