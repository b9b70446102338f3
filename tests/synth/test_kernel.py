"""The jsii bridge: the direct runtime (one Node process per kernel, talking on
stdin/stdout), its fallback to jsii's stock runtime, and assemblies kept as
plain files; each kernel's temporary folder. Each case runs in a fresh Python: a
kernel starts once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen import held
from opsgen.synth import kernel
from opsgen.usage import INVALID

ROOT = Path(__file__).resolve().parents[2]
ECHO = ROOT / "tests" / "support" / "jsii_echo"
BUNDLED = ROOT / "tests" / "golden" / "bundled" / "services.yaml"  # the tests' own catalogue

KERNEL_TREE = """
import json, os, sys
from opsgen.synth import engine
engine.start()  # starts the kernel the way opsgen does
from cdk8s import App, Chart
Chart(App(), "x").to_json()  # a round trip

def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        if entry.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found

def cmdline(pid):
    return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()

nodes = [p for p in children(os.getpid()) if "node" in cmdline(p)]
print(json.dumps({"runtime": os.environ.get("JSII_RUNTIME", ""),
                  "kernels": [{"cmdline": cmdline(p), "children": [cmdline(c) for c in children(p)]} for p in nodes]}))
"""


def python(script: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("JSII_RUNTIME", "OPSGEN_JSII_DIRECT")}
    run = subprocess.run(
        [sys.executable, "-c", script], env={**environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run


def test_the_kernel_is_one_node_process_running_the_direct_runtime() -> None:
    tree = json.loads(python(KERNEL_TREE).stdout)
    assert tree["runtime"].endswith("jsii_direct_runtime.js")
    (kernel,) = tree["kernels"]
    assert "jsii_direct_runtime.js" in kernel["cmdline"]
    assert kernel["children"] == []  # no relay: the kernel answers Python itself


def test_opsgen_jsii_direct_0_keeps_jsiis_stock_runtime() -> None:
    tree = json.loads(python(KERNEL_TREE, OPSGEN_JSII_DIRECT="0").stdout)
    assert tree["runtime"] == ""
    (kernel,) = tree["kernels"]
    assert "jsii-runtime.js" in kernel["cmdline"]
    assert any("program.js" in child for child in kernel["children"])  # jsii's relay and its kernel


def test_both_runtimes_write_the_same_bytes(tmp_path: Path) -> None:
    outputs = {}
    for direct in ("1", "0"):
        out = tmp_path / direct
        script = f"from opsgen.cli import main; raise SystemExit(main(['synth', '-c', {str(BUNDLED)!r}, '-o', {str(out)!r}]))"
        python(script, OPSGEN_JSII_DIRECT=direct)
        outputs[direct] = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert outputs["1"] == outputs["0"] and outputs["1"]


def test_what_javascript_prints_reaches_python_streams_not_the_api_channel() -> None:
    script = f"""
import jsii
from pathlib import Path
from opsgen.synth import engine
engine.start()
from opsgen.synth import kernel
kernel.load_assembly(Path({str(ECHO)!r}))

class Echo(metaclass=jsii.JSIIMeta, jsii_type="opsgen-echo.Echo"):
    @jsii.member(jsii_name="say")
    @classmethod
    def say(cls, text: str) -> str:
        return jsii.sinvoke(cls, "say", [text])

print(f"returned: {{Echo.say('hello')}}")  # one write: the relayed lines arrive on a thread of their own
print(f"again: {{Echo.say('twice')}}")
"""
    run = python(script)
    assert "returned: HELLO" in run.stdout and "again: TWICE" in run.stdout
    assert "stdout: hello" in run.stdout and "stdout: twice" in run.stdout
    assert "stderr: hello" in run.stderr


RUNTIME = "import os; from opsgen.synth import engine; engine.start(); print(os.environ['JSII_RUNTIME'])"


def in_tmpdir(tmpdir: Path, script: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_RUNTIME", "OPSGEN_JSII_DIRECT")}
    env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )


def test_the_runtime_files_are_reused_by_every_run_and_nothing_else_is_left(tmp_path: Path) -> None:
    """One folder for the runtime and one for opsgen's assembly, made once and
    reused: a killed run leaves nothing of its own in TMPDIR."""
    first = in_tmpdir(tmp_path, RUNTIME).stdout.strip()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert in_tmpdir(tmp_path, RUNTIME).stdout.strip() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == left
    assert len(left) == 2 and all(name.startswith(f"opsgen-jsii-{os.geteuid()}-") for name in left)
    assert Path(first).parent.name in left
    assert all((tmp_path / name).stat().st_mode & 0o777 == 0o700 for name in left)


def test_a_runtime_folder_that_is_not_exactly_ours_is_not_used(tmp_path: Path) -> None:
    shared = Path(in_tmpdir(tmp_path, RUNTIME).stdout.strip()).parent
    (shared / "program.js").write_text("require('child_process').execSync('touch /tmp/pwned')")  # someone else's code
    runtime = in_tmpdir(tmp_path, RUNTIME)
    assert runtime.returncode == 0, runtime.stderr
    assert Path(runtime.stdout.strip()).parent != shared
    assert not Path(runtime.stdout.strip()).exists()  # the private copy went at exit
    assert (shared / "program.js").read_text().startswith("require(")  # and the odd one is not touched


def test_the_opsgen_jsii_assembly_passes_jsiis_own_schema_check() -> None:
    """The kernel validates assemblies against the jsii spec when asked to."""
    script = """
from opsgen.synth import engine
engine.start()
from cdk8s import App, Chart
from opsgen.synth.assembly import json_api_object
chart = Chart(App(), "x")
json_api_object()(chart, "a", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}})
print(chart.to_json()[0]["data"])
"""
    assert python(script, JSII_VALIDATE_ASSEMBLIES="1").stdout == "{'k': 'v'}\n"


def test_the_opsgen_jsii_assembly_agrees_with_its_package_and_the_pins() -> None:
    source = ROOT / "opsgen" / "synth" / "jsii"
    package = json.loads((source / "package.json").read_text())
    assembly = json.loads((source / "assembly.json").read_text())
    assert (assembly["name"], assembly["version"]) == (package["name"], package["version"])
    assert f"fqn: 'opsgen-jsii.JsonApiObject', version: '{package['version']}'" in (source / "index.js").read_text()
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().split() if "==" in line)
    assert (
        assembly["dependencies"]
        == package["peerDependencies"]
        == {"cdk8s": pins["cdk8s"], "constructs": pins["constructs"]}
    )
    assert assembly["jsiiVersion"] == pins["jsii"]


def test_a_kernel_is_seen_as_started_once_any_jsii_package_is_imported() -> None:
    script = """
from opsgen.synth import kernel
before = kernel.kernel_started()
import constructs  # a jsii package: its import starts the kernel
print(before, kernel.kernel_started())
"""
    assert python(script).stdout == "False True\n"


@pytest.mark.parametrize("direct", ["1", "0"])
def test_a_kernel_unpacks_into_a_folder_of_its_own_removed_when_it_ends(tmp_path: Path, direct: str) -> None:
    """jsii unpacks cdk8s into Node's TMPDIR: a folder of the kernel's own
    (kernel.SCRATCH_PREFIX), removed once the kernel has ended."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = f"from opsgen.cli import main; raise SystemExit(main(['synth', '-c', {str(BUNDLED)!r}, '-o', {str(tmp_path / 'out')!r}]))"
    python(script, TMPDIR=str(tmp), OPSGEN_JSII_DIRECT=direct)  # a worker's kernel
    python(
        "from opsgen.synth import engine; engine.start()", TMPDIR=str(tmp), OPSGEN_JSII_DIRECT=direct
    )  # a kernel of the process itself
    assert [p.name for p in tmp.iterdir() if not p.name.startswith("opsgen-jsii-")] == []


def test_the_folders_of_killed_kernels_are_removed_by_the_next_kernel(tmp_path: Path) -> None:
    """A kernel ended by a signal leaves its folder (Node's exit handlers do not
    run): the next kernel to start removes those nobody holds (their marker is
    free, or a kill came before the marker and left them empty), and nothing
    else: a folder whose marker is held, one without a marker that holds files, a link."""
    tmp, elsewhere = tmp_path / "tmp", tmp_path / "elsewhere"
    (elsewhere / "keep").mkdir(parents=True)
    killed, before_marker, in_use, strange = (
        tmp / f"{kernel.SCRATCH_PREFIX}{name}" for name in ("1-a", "2-b", "3-c", "4-d")
    )
    (killed / "jsii-kernel-x").mkdir(parents=True)
    (killed / kernel.SCRATCH_MARKER).write_bytes(kernel.SCRATCH_MARKER_TEXT)  # its process has ended
    before_marker.mkdir()
    in_use.mkdir()
    marker = held.hold(
        in_use, kernel.SCRATCH_MARKER, kernel.SCRATCH_MARKER_TEXT
    )  # a kernel's folder in use (by this process)
    (strange / "data").mkdir(parents=True)
    link = tmp / f"{kernel.SCRATCH_PREFIX}5-link"
    link.symlink_to(elsewhere)
    try:
        python("from opsgen.synth import engine; engine.start()", TMPDIR=str(tmp))
    finally:
        os.close(marker)
    assert not killed.exists() and not before_marker.exists()
    assert in_use.is_dir() and (strange / "data").is_dir() and link.is_symlink() and (elsewhere / "keep").is_dir()


def test_private_runtime_folders_are_removed_by_the_worker_that_made_them(tmp_path):
    """Issue 21: when the shared runtime folder is not trustworthy (its predictable name
    made first by someone else; here: writable by others), each process makes a private
    one; the forked worker (which never runs atexit) left its own behind on every run."""
    import subprocess
    import sys

    from tests.conftest import VALID

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(scratch)}
    synth = [
        sys.executable,
        "-m",
        "opsgen",
        "synth",
        "-c",
        str(tmp_path / "services.yaml"),
        "-o",
        str(tmp_path / "dist"),
    ]
    assert subprocess.run(synth, env=env, capture_output=True, timeout=300).returncode == 0
    shared = sorted(p for p in scratch.iterdir() if p.name.startswith("opsgen-jsii-"))
    assert shared
    for folder in shared:
        os.chmod(folder, 0o777)  # not trustworthy any more: every run makes private ones
    left = scratch / (kernel.PRIVATE_PREFIX + "killed")  # a kill's leftover: marked, held by nobody
    left.mkdir()
    (left / kernel.PRIVATE_MARKER).write_bytes(kernel.PRIVATE_MARKER_TEXT)
    for _ in range(2):
        assert subprocess.run(synth, env=env, capture_output=True, timeout=300).returncode == 0
    invalid = synth[:5] + [str(tmp_path / "missing.yaml")] + synth[6:]
    assert subprocess.run(invalid, env=env, capture_output=True, timeout=300).returncode == INVALID
    assert sorted(p for p in scratch.iterdir() if p.name.startswith("opsgen-jsii-")) == shared


def test_the_direct_runtime_is_written_for_the_installed_jsii() -> None:
    from importlib import metadata

    assert kernel.DIRECT_RUNTIME_JSII == metadata.version("jsii")


def test_another_jsii_release_keeps_the_stock_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """The direct runtime and the kernel guard use private names of one jsii release: with any
    other, opsgen leaves jsii as it is."""
    monkeypatch.setattr(kernel, "_jsii_version", lambda: "1.999.0")
    assert not kernel._wanted()
    script = "import os; from opsgen.synth import kernel; kernel._jsii_version = lambda: '1.999.0'; kernel.prepare(); print(os.environ.get('JSII_RUNTIME'))"
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_RUNTIME", "OPSGEN_JSII_DIRECT")}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert run.stdout.strip() == "None", run.stderr
