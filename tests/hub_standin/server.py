"""A local stand-in for the Hugging Face Hub: serves the built repositories on 127.0.0.1.

It answers exactly what ``huggingface_hub`` (through ``transformers``) and ``datasets`` ask
for when loading the course's artefacts by id:

- ``GET /api/{models,datasets}/{id}[/revision/{rev}]``: repository info with ``siblings``;
- ``GET /api/{models,datasets}/{id}/tree/{rev}[/{path}]``: the file listing;
- ``POST /api/{models,datasets}/{id}/paths-info/{rev}``: info on the named paths;
- ``HEAD``/``GET /[datasets/]{id}/resolve/{rev}/{file}``: the file, with ``ETag``,
  ``X-Repo-Commit`` and ``Content-Length`` (``Range`` honoured);
- everything else: 404 with the Hub's ``X-Error-Code`` (``RepoNotFound``,
  ``RevisionNotFound``, ``EntryNotFound``), which the libraries turn into their own errors.

Every request is logged (method, Host header, path). Used as the ``HTTPS_PROXY`` of a test,
it also logs and refuses any request meant for another host (``CONNECT`` or an absolute URL),
so a test can show that nothing left 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .builder import Repo, load_repos

CHUNK = 1 << 20


@dataclass(frozen=True)
class LoggedRequest:
    """One request the stand-in received."""

    method: str
    host: str
    path: str
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _HubServer
    protocol_version = "HTTP/1.1"

    # ---- plumbing ----
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the structured log below replaces stderr lines

    def _log(self, status: int) -> None:
        self.server.record(
            LoggedRequest(self.command, self.headers.get("Host", ""), self.path, status)
        )

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self._log(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: object, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        self._json(
            {"error": message},
            status,
            {"X-Error-Code": code, "X-Error-Message": message, **(headers or {})},
        )

    # ---- verbs ----
    def do_CONNECT(self) -> None:  # noqa: N802 - http.server's naming
        # reached only when a client uses the stand-in as its proxy to reach another host
        self._send(403, b"the Hub stand-in refuses to reach other hosts", content_type="text/plain")

    def do_HEAD(self) -> None:  # noqa: N802
        self._route()

    def do_GET(self) -> None:  # noqa: N802
        self._route()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(length) if length else b""
        self._route()

    # ---- routing ----
    def _route(self) -> None:
        if self.path.startswith(("http://", "https://")):  # a proxied request to another host
            self._send(
                403, b"the Hub stand-in refuses to reach other hosts", content_type="text/plain"
            )
            return
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        if parts[:1] == ["api"] and len(parts) >= 4 and parts[1] in ("models", "datasets"):
            self._api(parts[1][:-1], parts[2:], parse_qs(url.query))
        elif "resolve" in parts:
            self._resolve(parts)
        else:
            self._error(404, "RepoNotFound", f"no route for {url.path}")

    def _find(self, repo_type: str, rest: list[str]) -> tuple[Repo | None, list[str]]:
        repo = self.server.repos.get((repo_type, "/".join(rest[:2])))
        return repo, rest[2:]

    def _check_revision(self, repo: Repo, revision: str) -> bool:
        if revision in ("main", repo.sha):
            return True
        self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return False

    def _api(self, repo_type: str, rest: list[str], query: dict) -> None:
        repo, tail = self._find(repo_type, rest)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
            return
        if not tail or tail[0] == "revision":
            if tail and not self._check_revision(repo, "/".join(tail[1:])):
                return
            self._json(self._info(repo))
        elif tail[0] == "tree" and len(tail) >= 2:
            if self._check_revision(repo, tail[1]):
                prefix = "/".join(tail[2:])
                self._json(self._tree(repo, prefix))
        elif tail[0] == "paths-info" and len(tail) >= 2 and self.command == "POST":
            if self._check_revision(repo, tail[1]):
                self._json(self._paths_info(repo))
        else:
            self._error(404, "EntryNotFound", f"no API route {'/'.join(tail)}")

    def _entry(self, repo: Repo, path: str) -> dict:
        meta = repo.files[path]
        entry = {"type": "file", "oid": meta["oid"], "size": meta["size"], "path": path}
        if meta["size"] > 10 * CHUNK:  # the Hub stores big files in LFS and says so
            entry["lfs"] = {"oid": meta["sha256"], "size": meta["size"], "pointerSize": 134}
        return entry

    def _info(self, repo: Repo) -> dict:
        info = {
            "_id": repo.sha[:24],
            "id": repo.repo_id,
            "sha": repo.sha,
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "lastModified": "2024-01-01T00:00:00.000Z",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "siblings": [{"rfilename": p} for p in repo.files],
        }
        if repo.repo_type == "model":
            info["modelId"] = repo.repo_id
        else:
            info["cardData"] = {"license": "cc-by-nc-sa-4.0"}
        return info

    def _tree(self, repo: Repo, prefix: str) -> list[dict]:
        return [
            self._entry(repo, p)
            for p in repo.files
            if not prefix or p == prefix or p.startswith(prefix.rstrip("/") + "/")
        ]

    def _paths_info(self, repo: Repo) -> list[dict]:
        body = self._body.decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            paths = json.loads(body or "{}").get("paths", [])
        else:
            paths = parse_qs(body).get("paths", [])
        return [self._entry(repo, p) for p in paths if p in repo.files]

    def _resolve(self, parts: list[str]) -> None:
        at = parts.index("resolve")
        repo_type = "dataset" if parts[0] == "datasets" else "model"
        repo, _ = self._find(repo_type, parts[1:at] if repo_type == "dataset" else parts[:at])
        if repo is None or len(parts) < at + 3:
            self._error(404, "RepoNotFound", "Repository not found")
            return
        if not self._check_revision(repo, parts[at + 1]):
            return
        path = "/".join(parts[at + 2 :])
        commit = {"X-Repo-Commit": repo.sha}
        if path not in repo.files:
            self._error(404, "EntryNotFound", f"{path} does not exist on main", commit)
            return
        meta = repo.files[path]
        lfs = meta["size"] > 10 * CHUNK
        headers = {
            **commit,
            "ETag": f'"{meta["sha256"] if lfs else meta["oid"]}"',
            "Accept-Ranges": "bytes",
        }
        self._send_file(repo.folder / path, meta["size"], headers)

    def _send_file(self, file: Path, size: int, headers: dict[str, str]) -> None:
        start, status = 0, 200
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and self.command == "GET":
            start = int(wanted[6:].split("-")[0] or 0)
            status = 206
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        self._log(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size - start))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        with file.open("rb") as handle:
            handle.seek(start)
            while chunk := handle.read(CHUNK):
                self.wfile.write(chunk)


class _HubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, repos: dict[tuple[str, str], Repo], log_file: Path | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)  # loopback only; port 0: a free port
        self.repos = repos
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._log_file = log_file

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)
            if self._log_file is not None:
                with self._log_file.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry.__dict__) + "\n")


class HubStandin:
    """Serve the built repositories on 127.0.0.1 in a background thread.

    >>> with HubStandin() as hub:          # doctest: +SKIP
    ...     os.environ["HF_ENDPOINT"] = hub.endpoint
    """

    def __init__(self, root: Path | None = None, log_file: Path | None = None) -> None:
        self._server = _HubServer(load_repos(root), log_file)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """The value for ``HF_ENDPOINT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request received so far (a copy)."""
        with self._server._lock:
            return list(self._server.log)

    def start(self) -> HubStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HubStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
