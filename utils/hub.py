"""What ``LABS_PROFILE=auto`` picks: ``course`` only where the course can run in reasonable time.

The course's parts (FLAN-T5-base, DialogSum, Meta's hate-speech RoBERTa) need the Hugging Face
Hub or its local cache, and a GPU: on a laptop CPU lab 2 alone takes the better part of a day
(see the README's cost table). So ``auto`` checks, in this order:

1. an explicit offline setting (``HF_HUB_OFFLINE``): then only the local cache counts;
2. a GPU (CUDA or Apple's MPS); without one it picks ``tiny`` and says how to force ``course``;
3. every course artefact (model, data set, classifier) in the cache, else the configured
   endpoint (``HF_ENDPOINT``, read through ``huggingface_hub.constants.ENDPOINT``, so mirrors
   and local hubs count) answering within 3 s.

It also bounds how long a lab waits on the Hub (``bound_hub_wait``, ``require_hub``): a Hub that
accepts connections but never answers (a captive portal, a firewall) ends in one clear error
within seconds instead of minutes of silent retries.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

from utils.errors import LabsError

ENDPOINT_TIMEOUT_S = 3.0
"""How long ``auto`` waits for the Hub endpoint to answer."""
HUB_TIMEOUT_S = 10
"""Seconds the labs wait for one answer from the Hub (connect or read) before giving up:
huggingface_hub's own default; the variables below change it."""
HUB_TIMEOUT_VARS = ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT")
FORCE_HINT = "set LABS_PROFILE=course to run the course's models anyway"

_TRUE = ("1", "on", "true", "yes")


def offline_setting() -> str | None:
    """The name of the offline switch that is on (``HF_HUB_OFFLINE``), else None.

    Read both from the environment and from huggingface_hub's constants, which are fixed when
    it is first imported: either one on means the libraries will not ask the Hub.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE:
        return "HF_HUB_OFFLINE"
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return None
    return "HF_HUB_OFFLINE" if constants.HF_HUB_OFFLINE else None


def detect_accelerator() -> str | None:
    """``"cuda"`` or ``"mps"`` when torch sees one, else None (torch imported only here)."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return None


def _cached(repo_id: str, filenames: tuple[str, ...], repo_type: str = "model") -> bool:
    from huggingface_hub import try_to_load_from_cache

    return any(
        isinstance(try_to_load_from_cache(repo_id, name, repo_type=repo_type), str)
        for name in filenames
    )


def _dataset_cached(dataset_id: str) -> bool:
    """True when ``load_dataset(dataset_id)`` can work offline: its files or its Arrow cache."""
    csvs = all(
        _cached(dataset_id, (f"{s}.csv",), "dataset") for s in ("train", "validation", "test")
    )
    if csvs:
        return True
    try:
        from datasets import config
    except ImportError:  # pragma: no cover - a dependency
        return False
    return (Path(config.HF_DATASETS_CACHE) / dataset_id.replace("/", "___")).is_dir()


def missing_from_cache(course) -> list[str]:
    """The artefacts (ids) of ``course`` (the course profile) the local cache lacks."""
    weights = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
    missing = [
        repo_id
        for repo_id in (course.model_id, course.toxicity_model_id)
        if not (_cached(repo_id, ("config.json",)) and _cached(repo_id, weights))
    ]
    if not _dataset_cached(course.dataset_id):
        missing.append(course.dataset_id)
    return missing


def hub_endpoint() -> str:
    """The Hub endpoint the libraries use: ``HF_ENDPOINT`` or https://huggingface.co."""
    from huggingface_hub import constants

    return constants.ENDPOINT.rstrip("/")


def endpoint_answers(model_id: str, timeout_s: float = ENDPOINT_TIMEOUT_S) -> bool:
    """True when the configured endpoint returns ``model_id``'s info within ``timeout_s``."""
    url = f"{hub_endpoint()}/api/models/{model_id}"
    # a fresh opener reads the proxy settings now; urlopen's global one keeps the first it saw
    opener = urllib.request.build_opener()
    try:
        with opener.open(url, timeout=timeout_s) as response:
            return response.status == 200
    except Exception:  # refused, timed out, DNS, HTTP error: all mean "not usable now"
        return False


def resolve_auto(course) -> tuple[str, str]:
    """Pick ``course`` or ``tiny`` for ``LABS_PROFILE=auto``; returns (name, one-line reason).

    ``course`` is the course profile, passed in: this module must not import the profiles,
    which call it.
    """
    offline = offline_setting()
    missing = missing_from_cache(course)
    if offline and missing:
        return "tiny", (
            f"{offline} is set and the cache lacks {', '.join(missing)}, so the course's "
            f"parts cannot load"
        )
    accelerator = detect_accelerator()
    if accelerator is None:
        return "tiny", (
            "no GPU (CUDA or MPS) found, and the course's models take hours per lab on a CPU; "
            + FORCE_HINT
        )
    if not missing:
        return "course", f"a GPU ({accelerator}) and every course model and data set cached"
    if offline is None and endpoint_answers(course.model_id):
        return "course", f"a GPU ({accelerator}) and the Hub at {hub_endpoint()} answered"
    return "tiny", (
        f"a GPU ({accelerator}), but {hub_endpoint()} did not answer within "
        f"{ENDPOINT_TIMEOUT_S:.0f} s and the cache lacks {', '.join(missing)}"
    )


def hub_timeout_s() -> int:
    """Seconds to wait for one answer from the Hub: the larger of ``HF_HUB_ETAG_TIMEOUT`` and
    ``HF_HUB_DOWNLOAD_TIMEOUT`` where set, else ``HUB_TIMEOUT_S``."""
    values = [os.environ.get(name, "").strip() for name in HUB_TIMEOUT_VARS]
    return max([int(v) for v in values if v.isdigit() and int(v) > 0] or [HUB_TIMEOUT_S])


def _bound_request(request) -> None:
    """httpx request hook: no wait on the Hub (connect, read, write, pool) longer than
    ``hub_timeout_s()``, including those the library sets to none or to a minute."""
    bound = float(hub_timeout_s())
    timeouts = dict(request.extensions.get("timeout") or {})
    for kind in ("connect", "read", "write", "pool"):
        value = timeouts.get(kind)
        timeouts[kind] = bound if value is None else min(value, bound)
    request.extensions["timeout"] = timeouts


def _bounded_client():
    """huggingface_hub's default HTTP client, plus ``_bound_request``."""
    from huggingface_hub.utils._http import default_client_factory

    client = default_client_factory()
    client.event_hooks["request"].append(_bound_request)
    return client


def bound_hub_wait() -> None:
    """Bound every wait on the Hub; call it before huggingface_hub is imported (``start_lab``
    does), so that its timeouts, read at import, are these.

    ``HF_HUB_ETAG_TIMEOUT`` and ``HF_HUB_DOWNLOAD_TIMEOUT`` get ``HUB_TIMEOUT_S`` unless the
    user set them. Some requests ignore them: the revision lookup of ``from_pretrained`` passes
    no timeout (wait forever), a file's metadata is asked again with a minute's timeout when
    nothing is cached, and each is retried five times, so a Hub that never answers held a lab
    for 6-7 minutes. The client installed here (``huggingface_hub.set_client_factory``) caps
    every wait at ``hub_timeout_s()``; the retries remain (about 1.5 minutes per file), which is
    why ``require_hub`` asks the Hub once, before a lab loads anything.
    """
    for name in HUB_TIMEOUT_VARS:
        os.environ.setdefault(name, str(HUB_TIMEOUT_S))
    try:
        from huggingface_hub import set_client_factory
        from huggingface_hub.utils._http import default_client_factory  # noqa: F401
    except ImportError:  # another huggingface_hub: its own timeouts still apply
        return
    set_client_factory(_bounded_client)


def endpoint_status(repo_id: str, timeout_s: float) -> str | None:
    """None when the Hub endpoint answers a question about ``repo_id`` within ``timeout_s``
    (any HTTP status counts: it answered), else what happened, to follow "the Hub at ...":
    ``"did not answer within 10 s"``, ``"could not be reached (Connection refused)"``."""
    url = f"{hub_endpoint()}/api/models/{repo_id}"
    opener = urllib.request.build_opener()  # reads the proxy settings now
    try:
        with opener.open(url, timeout=timeout_s):
            return None
    except urllib.error.HTTPError:
        return None  # an HTTP status is an answer
    except TimeoutError:  # the answer did not come (socket.timeout is TimeoutError)
        return f"did not answer within {timeout_s:g} s"
    except urllib.error.URLError as exc:  # the connection did not come
        if isinstance(exc.reason, TimeoutError):
            return f"did not answer within {timeout_s:g} s"
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        return f"could not be reached ({reason})"
    except OSError as exc:  # reset, ...
        return f"could not be reached ({exc.strerror or type(exc).__name__})"


def needs_hub(profile) -> list[str]:
    """The ids ``profile`` loads from the Hub (not from a local folder)."""
    ids = (profile.model_id, profile.dataset_id, profile.toxicity_model_id)
    return [i for i in ids if not (Path(i).is_absolute() or Path(i).exists())]


def require_hub(profile) -> None:
    """Before a lab loads anything: when ``profile`` needs the Hub and the libraries will ask
    it (no offline switch), fail at once with one clear paragraph if the endpoint does not
    answer within ``hub_timeout_s()``; the libraries themselves would retry for minutes."""
    remote = needs_hub(profile)
    if not remote or offline_setting():
        return
    timeout_s = hub_timeout_s()
    problem = endpoint_status(remote[0], timeout_s)
    if problem is None:
        return
    missing = missing_from_cache(profile)
    if missing:
        cache = f"the local cache lacks {', '.join(missing)}"
        fix = (
            "Check the internet connection and any proxy (HTTPS_PROXY), or HF_ENDPOINT if you "
            "set it, then restart the kernel; or run the offline stand-ins with "
            "`LABS_PROFILE=tiny`"
        )
    else:
        cache = "every course part is in the local cache"
        fix = (
            "Use the cache without asking the Hub: set `HF_HUB_OFFLINE=1` and restart the "
            "kernel; or check the internet connection and any proxy (HTTPS_PROXY), or "
            "HF_ENDPOINT; or run the offline stand-ins with `LABS_PROFILE=tiny`"
        )
    raise LabsError(
        f"The Hugging Face Hub at {hub_endpoint()} {problem}, and the {profile.name} profile "
        f"loads its models and data from it; {cache}. {fix}. "
        f"Nothing was loaded."
    )
