"""opsgen.catalogue.files: a file the catalogue names is read only when it is a
regular file inside the catalogue's folder, capped, and never quoted."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsgen import pipeline
from opsgen.catalogue import exposition, files
from opsgen.errors import CatalogueError
from tests.conftest import VALID
from tests.support.alarm import fail_after

SECRET = "hunter2-d0-not-print"


@pytest.fixture(autouse=True)
def never_hang():
    """A read that blocks (a FIFO) fails the test instead of hanging the suite."""
    with fail_after(20, "the read blocked"):
        yield


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "cat").mkdir()
    (tmp_path / "outside.prom").write_text(f'secret_total{{token="{SECRET}"}} 1\n')
    return tmp_path / "cat"


def refused(base: Path, relative: str, **kwargs) -> str:
    with pytest.raises(files.FileRefused) as caught:
        files.read(str(base), relative, **kwargs)
    message = str(caught.value)
    assert SECRET not in message
    return message


def test_a_regular_file_inside_is_read(home: Path) -> None:
    (home / "sub").mkdir()
    (home / "sub" / "m.prom").write_bytes(b"x 1\n")
    os.symlink("sub/m.prom", home / "link.prom")  # a link that stays inside is fine
    assert files.read(str(home), "sub/m.prom") == b"x 1\n"
    assert files.read(str(home), "./sub//m.prom") == b"x 1\n"
    assert files.read(str(home), "link.prom") == b"x 1\n"


@pytest.mark.parametrize(
    "relative, reason",
    [
        ("/etc/passwd", "must be a path relative to the catalogue's folder, not an absolute one"),
        ("../outside.prom", "must stay inside the catalogue's folder ('..' is not allowed)"),
        ("sub/../../outside.prom", "must stay inside the catalogue's folder ('..' is not allowed)"),
        ("~/x", "must be a path relative to the catalogue's folder, not an absolute one"),
        ("a\0b", "is not a file name"),
        (".", "leads out of the catalogue's folder (through a symbolic link)"),
    ],
)
def test_paths_out_of_the_folder_are_refused(home: Path, relative: str, reason: str) -> None:
    assert refused(home, relative) == reason


@pytest.mark.parametrize("target", ["../outside.prom", "/proc/self/environ", "/dev/zero", "/etc"])
def test_symlinks_leading_out_are_refused(home: Path, target: str) -> None:
    os.symlink(target, home / "m.prom")
    (home / "d").mkdir()
    os.symlink("..", home / "d" / "up")
    assert refused(home, "m.prom") == "leads out of the catalogue's folder (through a symbolic link)"
    assert refused(home, "d/up/m.prom") == "leads out of the catalogue's folder (through a symbolic link)"


def test_a_fifo_is_refused_without_blocking(home: Path) -> None:
    os.mkfifo(home / "m.prom")
    assert refused(home, "m.prom") == "is not a regular file (it is a FIFO)"


def test_devices_sockets_and_directories_are_refused(home: Path, tmp_path: Path) -> None:
    assert refused(Path("/dev"), "zero") == "is not a regular file (it is a character device)"
    (home / "dir.prom").mkdir()
    assert refused(home, "dir.prom") == "is not a regular file (it is a directory)"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(home / "s.prom"))
        assert refused(home, "s.prom") == "is not a regular file (it is a socket)"


def test_missing_files_and_folders(home: Path) -> None:
    assert refused(home, "nope.prom") == "cannot be read: No such file or directory"
    assert refused(home, "nope/m.prom") == "cannot be read: No such file or directory"
    (home / "file").write_text("x")
    assert refused(home, "file/m.prom") == "cannot be read: Not a directory"


def test_the_size_is_capped(home: Path) -> None:
    (home / "big.prom").write_bytes(b"#" * 101)
    (home / "ok.prom").write_bytes(b"#" * 100)
    assert refused(home, "big.prom", max_bytes=100) == "is larger than 100 bytes (101)"
    assert files.read(str(home), "ok.prom", max_bytes=100) == b"#" * 100
    assert files.MAX_BYTES == 1 << 20


def test_invalid_utf8_is_refused_by_position_not_content(home: Path) -> None:
    (home / "m.prom").write_bytes(f"ok 1\n{SECRET}\xff\n".encode("latin-1"))
    with pytest.raises(files.FileRefused) as caught:
        files.text(str(home), "m.prom")
    assert str(caught.value) == f"is not UTF-8 text (line 2, byte {5 + len(SECRET)})"


def write(home: Path, exposition: str) -> Path:
    catalogue = home / "services.yaml"
    catalogue.write_text(
        VALID.replace("metrics: {port: http}", f"metrics: {{port: http, exposition: '{exposition}'}}", 1)
    )
    return catalogue


def problems(catalogue: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        pipeline.load_valid(str(catalogue))
    return [str(p) for p in caught.value.problems]


def test_the_environment_is_never_printed(home: Path) -> None:
    """The reported case: /proc/self/environ put the whole CI environment in the log."""
    os.environ["OPSGEN_TEST_SECRET"] = SECRET
    try:
        assert problems(write(home, "/proc/self/environ")) == [
            f"{home / 'services.yaml'}:9:27: metrics.exposition: '/proc/self/environ' must be a path relative to "
            "the catalogue's folder, not an absolute one"
        ]
        os.symlink("/proc/self/environ", home / "env.prom")
        (line,) = problems(write(home, "env.prom"))
        assert line.endswith("'env.prom' leads out of the catalogue's folder (through a symbolic link)")
    finally:
        del os.environ["OPSGEN_TEST_SECRET"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(st.sampled_from(["# TYPE a counter", "a_total 1", 'b{x="y"} 2', "", "# HELP a x"]), max_size=4),
    bad=st.sampled_from(["{s} 1 2 3 4", 'x{{a="{s}" 1', "{s}{{", "# TYPE x {s}", 'x{{a="b"}} {s}', "x {s}"]),
)
def test_a_parse_error_never_quotes_the_file(tmp_path: Path, before: list[str], bad: str) -> None:
    lines = [*before, bad.format(s=SECRET), "c 1"]
    (tmp_path / "m.prom").write_text("\n".join(lines) + "\n")
    exposition._parse_once.cache_clear()
    with pytest.raises(files.FileRefused) as caught:
        exposition.read_exposition(str(tmp_path), "m.prom")
    assert str(caught.value) == f"is not in the Prometheus text format (line {len(before) + 1})"


PIECES = st.sampled_from(
    ["..", ".", "", "m.prom", "sub", "out", "loop", "fifo", "dev", "/", "~", "\0", "//", "sub/m.prom"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(PIECES, min_size=1, max_size=5).map("/".join))
def test_any_path_reads_a_file_inside_or_is_refused(tmp_path_factory, path: str) -> None:
    """Mutated paths: the reader returns the bytes of a regular file inside the
    folder, or FileRefused; never another error, never a byte from outside."""
    base = tmp_path_factory.mktemp("fuzz")
    home = base / "cat"
    (home / "sub").mkdir(parents=True)
    (home / "m.prom").write_bytes(b"inside 1\n")
    (home / "sub" / "m.prom").write_bytes(b"inside 2\n")
    (base / "m.prom").write_text(SECRET)
    os.symlink("..", home / "out")
    os.symlink("loop", home / "loop")
    os.mkfifo(home / "fifo")
    os.symlink("/dev", home / "dev")
    try:
        data = files.read(str(home), path)
    except files.FileRefused as exc:
        assert SECRET not in str(exc)
        return
    assert data in (b"inside 1\n", b"inside 2\n")


def test_a_bad_last_line_in_a_large_exposition_file_is_parsed_once(tmp_path: Path) -> None:
    """Issue 21: a failure was not cached (lru_cache keeps only results), so every service and
    environment naming the file parsed it again, and found the line by bisection (0.9 MB: 17 s
    for one; more than 300 s for 20 services in 3 environments)."""
    import time

    from opsgen import pipeline
    from opsgen.errors import CatalogueError

    (tmp_path / "m.prom").write_text("".join(f'm_total{{a="{i}"}} {i}\n' for i in range(40000)) + "bad{ line\n")
    services = "".join(
        f"  - {{name: s{i}, namespace: apps, team: core, metrics: {{port: http, exposition: m.prom}}}}\n"
        for i in range(20)
    )
    catalogue = tmp_path / "services.yaml"
    catalogue.write_text("platform: {name: demo}\nenvironments: {a: {}, b: {}, c: {}}\nservices:\n" + services)
    exposition._parse_once.cache_clear()
    start = time.process_time()
    with pytest.raises(CatalogueError) as caught:
        pipeline.load_valid(str(catalogue))
    assert time.process_time() - start < 5
    assert all(str(p).endswith("is not in the Prometheus text format (line 40001)") for p in caught.value.problems)
