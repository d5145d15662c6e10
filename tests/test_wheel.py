"""The `propos` wheel, installed in a fresh virtual environment, works away from the repository.

How this runs offline, step by step:

1. Build. The sources the wheel is made of (pyproject.toml, README.md, src/) are copied to a
   temporary folder first, so that the build leaves nothing in the repository (setuptools writes
   build/ and *.egg-info beside the sources). ``pip wheel --no-deps`` then builds them, first
   without build isolation, with the setuptools of the running environment; pyproject.toml asks
   setuptools>=77 (for ``license = "MIT"``), which the project venv may not have (``make setup``
   installs with build isolation). So, failing that, with build isolation fed from the package
   sources pip is configured with that are on this machine only: every ``file://`` index and
   local find-links folder that ``pip config list`` shows, never the network. The test skips,
   saying why, only when neither way can find a setuptools to build with.
2. Virtual environment. ``python -m venv --without-pip`` makes it in a moment, with nothing to
   download. The wheel is installed by the project venv's pip driving the new interpreter
   (``pip --python NEW install --no-deps --no-index WHEEL``), so that the package files and the
   ``propos`` script land in the new venv, as a user's ``pip install`` puts them.
3. Dependencies. Only then does a ``.pth`` file in the new venv's site-packages append the
   project venv's site-packages to ``sys.path``, so that typer, spaCy, pandas... import without
   being installed again. The lines of a ``.pth`` file are plain path entries: the ``.pth`` files
   found there (the editable install's pointer to the repository's src/) are not processed, so
   ``propos`` itself can only come from the wheel. The order matters: with the ``.pth`` in place
   before, pip would see the project's editable propos as installed and might uninstall it.
4. Use. From a temporary folder outside the repository holding copies of annotations/ and
   corpus/clean/ (so that it is the corpus root), the installed ``propos`` validates the gold,
   builds the dataset, scores the CRF submission against that built dataset and converts a gold
   file to brat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import ALL_DOC_IDS, ROOT, load_json, ok, shown

CRF = ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl"
GOLD_DOC = "000_5637744c8eac245a"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SCHEMAS = sorted((ROOT / "annotations" / "schema").glob("*.schema.json"))
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
ENV.update({"COLUMNS": "200", "NO_COLOR": "1", "PIP_NO_INPUT": "1"})
NO_SETUPTOOLS = ("No matching distribution found", "Could not find a version that satisfies")


def run(command: list[Any], cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env or ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def local_package_sources() -> tuple[list[str], list[str]]:
    """The ``file://`` indexes and the local find-links folders of pip's configuration."""
    listing = run([sys.executable, "-m", "pip", "config", "list"], cwd=ROOT).stdout
    indexes: list[str] = []
    links: list[str] = []
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        name = key.rsplit(".", 1)[-1]
        for item in value.strip().strip("'\"").split():
            if name in ("index-url", "extra-index-url") and item.startswith("file:"):
                indexes.append(item)
            elif name == "find-links" and (item.startswith("file:") or Path(item).is_dir()):
                links.append(item)
    return list(dict.fromkeys(indexes)), list(dict.fromkeys(links))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
    out = tmp_path_factory.mktemp("wheelhouse")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, source]
    attempts = [run([*pip_wheel, "--no-build-isolation"], cwd=out)]
    if attempts[0].returncode != 0:
        indexes, links = local_package_sources()
        if not indexes and not links:
            pytest.skip("cannot build the wheel offline: the running environment's setuptools"
                        " does not satisfy pyproject.toml's build requirements and pip has no"
                        " local package source to isolate the build with")  # fmt: skip
        env = {**ENV, "PIP_FIND_LINKS": " ".join(links)}
        if indexes:
            env.update({"PIP_INDEX_URL": indexes[0], "PIP_EXTRA_INDEX_URL": " ".join(indexes)})
            attempts.append(run(pip_wheel, cwd=out, env=env))
        else:
            attempts.append(run([*pip_wheel, "--no-index"], cwd=out, env=env))
    if attempts[-1].returncode != 0:
        if any(marker in attempts[-1].stdout + attempts[-1].stderr for marker in NO_SETUPTOOLS):
            pytest.skip("cannot build the wheel offline: no setuptools satisfying"
                        " pyproject.toml here nor in pip's local package sources")  # fmt: skip
        pytest.fail("building the wheel failed:\n" + "\n".join(map(shown, attempts)))
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("venv") / "env"
    assert not folder.is_relative_to(ROOT)
    ok(run([sys.executable, "-m", "venv", "--without-pip", folder], cwd=folder.parent))
    python = folder / "bin" / "python"
    ok(run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
            "--no-index", wheel], cwd=folder.parent))  # fmt: skip
    purelib = ok(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=folder.parent)).stdout.strip()  # fmt: skip
    project_paths = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(purelib) / "_propos_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in project_paths), encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus root outside the repository: copies of annotations/ and corpus/clean/."""
    root = tmp_path_factory.mktemp("corpus-root")
    assert not root.is_relative_to(ROOT)
    shutil.copytree(ROOT / "annotations", root / "annotations")
    shutil.copytree(ROOT / "corpus" / "clean", root / "corpus" / "clean")
    return root


def installed(venv: Path, *args: Any, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([venv / "bin" / "propos", *args], cwd=cwd)


def test_the_wheel_holds_the_package_its_schemas_and_its_script(wheel: Path) -> None:
    assert wheel.name == f"propos-{PROJECT['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert {name.split("/", 1)[0] for name in names} == {
            "propos",
            f"propos-{PROJECT['version']}.dist-info",
        }
        assert "propos/cli/__init__.py" in names
        assert "propos/data/confusables.txt" in names  # the look-alike table of UTS #39
        for schema in SCHEMAS:
            assert archive.read(f"propos/schemas/{schema.name}") == schema.read_bytes(), schema
        info = f"propos-{PROJECT['version']}.dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert "propos = propos.cli:app" in entry_points
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    for dependency in PROJECT["dependencies"]:
        name = dependency.split(">")[0].split("=")[0].split("<")[0]
        assert any(line.startswith(f"Requires-Dist: {name}") for line in requires), name


def test_the_installed_package_comes_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    script = venv / "bin" / "propos"
    assert script.read_text(encoding="utf-8").splitlines()[0] == f"#!{venv / 'bin' / 'python'}"
    probe = (
        "import json, importlib.metadata, importlib.resources, propos\n"
        "from propos import schema\n"
        "schemas = importlib.resources.files('propos') / 'schemas'\n"
        "print(json.dumps({'module': propos.__file__, 'schemas': str(schemas),\n"
        " 'files': sorted(p.name for p in schemas.iterdir()),\n"
        " 'version': importlib.metadata.version('propos'),\n"
        " 'entity_types': list(schema.ENTITY_TYPES)}))\n"
    )
    found = json.loads(ok(run([venv / "bin" / "python", "-c", probe], cwd=tmp_path)).stdout)
    module, schemas = Path(found["module"]), Path(found["schemas"])
    assert module.is_relative_to(venv), module
    assert not module.is_relative_to(ROOT / "src"), module
    assert schemas.is_relative_to(venv) and schemas.parent == module.parent, schemas
    assert found["files"] == sorted(schema.name for schema in SCHEMAS)
    assert found["version"] == PROJECT["version"]
    assert found["entity_types"] == ["PER", "ORG", "GPE", "LOC", "FAC", "MISC"]


def test_installed_validate(venv: Path, corpus_root: Path) -> None:
    result = ok(installed(venv, "validate", "annotations/gold", cwd=corpus_root))
    assert f"validate: {len(ALL_DOC_IDS)} file(s) checked, clean" in result.stderr
    ok(installed(venv, "validate", "annotations", cwd=corpus_root))
    # The schemas inside the installed package are what checks: a bad type is caught.
    broken = load_json(corpus_root / "annotations" / "gold" / f"{GOLD_DOC}.json")
    broken["entities"][0]["type"] = "BOGUS"
    scratch = corpus_root / "scratch"
    scratch.mkdir()
    (scratch / f"{GOLD_DOC}.json").write_text(json.dumps(broken), encoding="utf-8")
    bad = installed(venv, "validate", f"scratch/{GOLD_DOC}.json", "--inventory",
                    "annotations/inventory.json", cwd=corpus_root)  # fmt: skip
    assert bad.returncode == 1, shown(bad)
    assert f"scratch/{GOLD_DOC}.json:$.entities[0].type: schema: 'BOGUS'" in bad.stdout


def test_installed_build_then_evaluate_against_it(
    venv: Path, corpus_root: Path, tmp_path: Path
) -> None:
    ok(installed(venv, "build", "--out", "dist/propos", cwd=corpus_root))
    dataset = corpus_root / "dist" / "propos"
    assert sorted((dataset / "data" / "ner").glob("test-*.parquet"))
    arguments = ["evaluate", "--pred", CRF, "--resamples", "50", "--format", "json"]
    scores = json.loads(ok(installed(venv, *arguments, "--gold", dataset, cwd=tmp_path)).stdout)
    # The same figures as the project's own command scoring against the repository gold.
    project_propos = Path(sys.executable).parent / "propos"
    reference = json.loads(ok(run([project_propos, *arguments], cwd=ROOT)).stdout)
    assert Path(scores.pop("gold")) == dataset
    reference.pop("gold")
    assert scores["headline"] == reference["headline"]
    assert scores == reference
    table = ok(installed(venv, "evaluate", "--pred", CRF, "--gold", dataset, "--resamples", "50",
                         cwd=tmp_path))  # fmt: skip
    entities = reference["headline"]["entities"]["value"]
    assert any(line.startswith("entities ") and f" {entities:.3f} " in line
               for line in table.stdout.splitlines()), table.stdout  # fmt: skip


def test_installed_evaluate_streamed_on_two_workers(venv: Path, corpus_root: Path) -> None:
    """The Dask workers started by the installed command import the installed package: the
    streamed scores equal those of the project's own command, in one process."""
    arguments = ["evaluate", "--pred", CRF, "--stream", "--chunk", "5", "--resamples", "50",
                 "--format", "json"]  # fmt: skip
    scores = json.loads(ok(installed(venv, *arguments, "--workers", "2", cwd=corpus_root)).stdout)
    project_propos = Path(sys.executable).parent / "propos"
    reference = json.loads(ok(run([project_propos, *arguments], cwd=ROOT)).stdout)
    assert Path(scores.pop("gold")).resolve() == corpus_root.resolve()
    reference.pop("gold")
    assert scores == reference
    assert 0 < scores["entities_coarse"]["value"] < 1


def test_installed_convert_to_brat(venv: Path, corpus_root: Path) -> None:
    result = ok(installed(venv, "convert", "to-brat", f"annotations/gold/{GOLD_DOC}.json",
                          "--out", "brat", cwd=corpus_root))  # fmt: skip
    assert "to-brat: 1 document(s)" in result.stderr
    text = (corpus_root / "brat" / f"{GOLD_DOC}.txt").read_text(encoding="utf-8")
    assert text == load_json(ROOT / "corpus" / "clean" / f"{GOLD_DOC}.json")["text"]
    ann = (corpus_root / "brat" / f"{GOLD_DOC}.ann").read_text(encoding="utf-8")
    mentions = [line for line in ann.splitlines() if line.startswith("T")]
    assert len(mentions) >= len(load_json(ROOT / "annotations" / "gold" /
                                          f"{GOLD_DOC}.json")["entities"])  # fmt: skip
    assert (corpus_root / "brat" / "annotation.conf").is_file()
