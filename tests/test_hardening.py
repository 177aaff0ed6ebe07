"""Issue #16: sizes checked before work, readers that never leak a parser, SBML models
that cannot run said so, temporaries removed on signals and swept later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import mtorsim
from cli_helpers import run_cli
from mtorsim import guard
from mtorsim.errors import MtorsimError, SBMLError
from mtorsim.genomics.readers import read_maf, read_variant_csv, read_vcf
from mtorsim.io import atomic_path, read_csv_table, sweep_stale, write_partitioned
from mtorsim.network.sbml_import import read_sbml
from mtorsim.pharmacology.regimen import Regimen

DATA = Path(__file__).parent / "data"


# ----------------------------------------------------------------- the guard


@pytest.mark.parametrize("seed", [0, 1, 2**32, 2**63 - 1])
def test_seeds_in_range(seed) -> None:
    assert guard.check_seed(seed) == seed


@pytest.mark.parametrize("seed", [-1, 2**63, 10**400, True, 1.5, "3"])
def test_seeds_out_of_range_name_the_range(seed) -> None:
    with pytest.raises(guard.ResourceError, match=r"--seed is .*(2\*\*63|whole number)"):
        guard.check_seed(seed)


def test_counts_and_budgets(monkeypatch) -> None:
    assert guard.check_count(5, "points", minimum=2) == 5
    with pytest.raises(guard.ResourceError, match="--points is 1; give at least 2"):
        guard.check_count(1, "points", minimum=2)
    with pytest.raises(guard.ResourceError, match="a 401-digit number"):
        guard.check_count(10**400, "workers", maximum=256)
    with pytest.raises(guard.ResourceError, match="whole number"):
        guard.check_count(True, "n")
    monkeypatch.setenv("MTORSIM_MEMORY_LIMIT", "1M")
    assert guard.memory_budget() == 2**20
    with pytest.raises(guard.ResourceError, match=r"about 2 MiB .* lower --points"):
        guard.check_memory(2 * 2**20, "this run", "lower --points")
    monkeypatch.setenv("MTORSIM_MEMORY_LIMIT", "lots")
    with pytest.raises(MtorsimError, match="MTORSIM_MEMORY_LIMIT"):
        guard.memory_budget()


def test_estimates_follow_the_model_defaults() -> None:
    assert guard.output_points(24, None, None, None) == 97  # every 15 min
    assert guard.output_points(None, 2, None, None) == 49  # hourly
    assert guard.output_points(None, 28, None, None, cohort=True) == 29  # daily
    assert guard.output_points(None, None, 10, None) == 101
    assert guard.output_points(None, None, 10, 7) == 7
    assert guard.output_points(None, None, 10, None, time_unit="h") == 41  # a model in hours
    assert guard.output_points(None, None, 2, None, time_unit="d") == 49


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": 24, "points": 10**12}, "output times would need about .* lower points="),
        ({"days": 1e9}, "days= is 1e\\+09; simulations run for at most a century"),
        ({"hours": float("inf")}, "hours= is inf; give a finite duration"),
        ({"hours": 24, "points": 1}, "points= is 1; give at least 2"),
        ({"days": 28, "patients": 10**12}, "patients x 29 output times would need"),
        ({"days": 28, "patients": 10, "seed": -1}, "seed= is -1; seeds run from 0"),
        ({"days": 28, "patients": 10, "chunk_size": 0}, "chunk_size= is 0"),
        ({"until": 1e9}, "until= is 1e\\+09; simulations run for at most a century"),
    ],
)
def test_model_simulate_refuses_before_any_work(kwargs, message) -> None:
    m = mtorsim.load()
    exposure = [Regimen("everolimus", 10.0)] if "patients" in kwargs else None
    start = time.perf_counter()
    with pytest.raises(guard.ResourceError, match=message):
        m.simulate(exposure=exposure, **kwargs)
    assert time.perf_counter() - start < 1.0


def test_streamed_cohorts_are_bounded_by_time(monkeypatch) -> None:
    monkeypatch.setenv("MTORSIM_TIME_LIMIT", "60")
    with pytest.raises(guard.ResourceError, match=r"would take about .* lower --patients"):
        guard.check_simulation(days=28, patients=10**9, kept_patients=0)
    with pytest.raises(guard.ResourceError, match=r"patient trial would take"):
        guard.check_trial(10**6, 2000, 0, assessments=1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--points", "1000000000000"], "lower --points"),
        (["simulate", "--days", "1e300"], "at most a century"),
        (["simulate", "--until", "1e300"], "--until is 1e\\+300; .* century \\(876,600 h\\)"),
        (["simulate", "--drug", "everolimus", "--dose", "10mg", "--patients", "10", "--seed=-1"],
         "--seed is -1"),
        (["trial", "RECORD-1", "--patients", "1000000000000"], "lower --patients"),
        (["trial", "RECORD-1", "--seed", str(2**63)], "seeds run from 0 to 2\\*\\*63 - 1"),
        (["trial", "RECORD-1", "--months", "1e9"], "--months is 1e\\+09"),
        (["predict", "--maf", "x.maf", "--n", "100000000000"], "lower --n"),
        (["cohort", "--variants", "x.csv", "--n=-3"], "--n is -3"),
        (["pk", "--drug", "everolimus", "--dose", "10mg", "--days", "1e12"], "--days is 1e\\+12"),
        (["dose-response", "--drug", "everolimus", "--hours", "1e9"], "--hours is 1e\\+09"),
        (["trial", "RECORD-1", "--scheduler", "nonsense"], "give a Dask address"),
        (["trial", "RECORD-1", "--workers", "100000"], "--workers is 100000; give at most 256"),
    ],
)  # fmt: skip
def test_cli_sizes_fail_in_one_line(argv, message, capsys, monkeypatch) -> None:
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert pytest.importorskip("re").search(message, err), err


# ----------------------------------------------------------------- readers

MAF = (DATA / "small.maf").read_text().splitlines()
CSV = (DATA / "small_variants.csv").read_text().splitlines()
VCF = (DATA / "small.vcf").read_text().splitlines()
VCF_HEAD = [ln for ln in VCF if ln.startswith("#")]
VCF_BODY = [ln for ln in VCF if not ln.startswith("#")]


def _lines(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


BAD_TABLES = [
    ("ragged.maf", read_maf, _lines([*MAF[:3], MAF[3] + "\tx\ty", *MAF[4:]]),
     "line 4: 8 fields where the header has 6"),
    ("quote.maf", read_maf, _lines([*MAF[:3], 'PTEN\t"S1\tMissense\tp.R130*\t3\t7']),
     'line 4: a quote \\(\\"\\) opens a field and never closes'),
    ("huge.maf", read_maf, _lines([*MAF[:2], "PTEN\tS1\tMissense\tp.R" + "1" * 10**6 + "C\t3\t7"]),
     "line 3: a field of 1,000,004 characters"),
    ("latin1.maf", read_maf, "\n".join(MAF).replace("S1", "S\xe9", 1).encode("latin-1"),
     "line 3: not UTF-8 text \\(byte 0xe9\\) \\(looks like Latin-1.*iconv -f latin1"),
    ("binary.maf", read_maf, b"\x00\x01\x02" * 50, "a binary file"),
    ("empty.csv", read_variant_csv, b"", "empty"),
    ("ragged.csv", read_variant_csv, _lines([*CSV[:2], CSV[2] + ",x,y,z"]), "line 3: 7 fields"),
    ("quote.csv", read_variant_csv, _lines([*CSV[:2], '"A,PTEN,R130*']), "line 3: a quote"),
    ("huge.csv", read_variant_csv, _lines([CSV[0], "A,PTEN,R130*," + "9" * 10**6]),
     "line 2: a field of 1,000,000"),
    ("badpos.vcf", read_vcf, _lines([*VCF_HEAD, VCF_BODY[0], "chr3\tnotanumber\t.\tA"]),
     f"line {len(VCF_HEAD) + 2}: malformed VCF record"),
    ("latin1.vcf", read_vcf, "\n".join(VCF).replace("\tTUMOR", "\tTUM\xe9").encode("latin-1"),
     "the header is not UTF-8 text \\(byte 0xe9.*iconv"),
    ("binary.vcf", read_vcf, b"\x00\xff" * 100, "not a readable VCF/BCF"),
    ("empty.vcf", read_vcf, b"", "not a readable VCF/BCF"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "reader", "content", "message"), BAD_TABLES)
def test_readers_turn_library_errors_into_one_line(tmp_path, name, reader, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MtorsimError, match=message) as info:
        reader(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_absurd_positions_are_problem_rows(tmp_path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(f"{CSV[0]}\nA,PTEN,R{'1' * 5000}C,\nA,PTEN,R130*,\n")
    t = read_variant_csv(path)
    assert len(t.variants) == 1
    assert "not a plausible residue number" in t.problems.problem.iloc[0]
    assert len(t.problems.problem.iloc[0]) < 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"sample,cancer_type\nS\xe9,BRCA\n", "line 2: not UTF-8"),
        (b"sample,type\nS1,BRCA\n", "needs columns sample,cancer_type"),
        (b'sample,cancer_type\n"S1,BRCA\n', "not a readable CSV"),
    ],
)
def test_types_file_problems(tmp_path, content, message, capsys, monkeypatch) -> None:
    path = tmp_path / "types.csv"
    path.write_bytes(content)
    with pytest.raises(MtorsimError, match=message):
        read_csv_table(path, ("sample", "cancer_type"), "sample types")
    argv = ["cohort", "--variants", str(DATA / "small_variants.csv"), "--types", str(path)]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and message.split()[0] in err


def _sbml(tmp_path: Path, level: int, *, reactions: bool) -> Path:
    libsbml = pytest.importorskip("libsbml")
    doc = libsbml.SBMLDocument(2, 4)
    model = doc.createModel()
    model.setId("m")
    comp = model.createCompartment()
    comp.setId("c")
    comp.setSize(1.0)
    for sid, amount in (("A", 1.0), ("B", 0.0)):
        s = model.createSpecies()
        s.setId(sid)
        s.setCompartment("c")
        s.setInitialAmount(amount)
    if reactions:
        p = model.createParameter()
        p.setId("k")
        p.setValue(0.1)
        r = model.createReaction()
        r.setId("r")
        r.setReversible(False)
        r.createReactant().setSpecies("A")
        r.createProduct().setSpecies("B")
        r.createKineticLaw().setMath(libsbml.parseFormula("k*A"))
    if level == 1:
        doc.setLevelAndVersion(1, 2, False)
    path = tmp_path / f"l{level}_{reactions}.xml"
    path.write_text(libsbml.writeSBMLToString(doc))
    return path


@pytest.mark.parametrize("level", [1, 2])
def test_sbml_without_changing_species_is_an_sbml_error(tmp_path, level) -> None:
    with pytest.raises(SBMLError, match="no species changes in time") as info:
        read_sbml(_sbml(tmp_path, level, reactions=False))
    assert ("Level 1" in str(info.value)) == (level == 1)


def test_sbml_level1_with_reactions_reads(tmp_path) -> None:
    m = read_sbml(_sbml(tmp_path, 1, reactions=True))
    assert m.level == 1 and [s.name for s in m.network.species] == ["A", "B"]


# ----------------------------------------------------------------- temporaries


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_runs_are_swept(tmp_path) -> None:
    target = tmp_path / "out.csv"
    dead = tmp_path / f".out.csv.{_dead_pid()}.abc123.tmp"
    dead.write_text("partial")
    dead_dir = tmp_path / f".out.csv.{_dead_pid()}.xyz.tmp"
    dead_dir.mkdir()
    (dead_dir / "part").write_text("x")
    live = tmp_path / f".out.csv.{os.getppid()}.live.tmp"  # pytest's parent: alive
    live.write_text("someone else's")
    other = tmp_path / f".other.csv.{_dead_pid()}.abc.tmp"
    other.write_text("another target's")
    mine = tmp_path / ".notes.txt"  # a user's dot file: never touched
    mine.write_text("keep")
    old = tmp_path / ".out.csv.k2j3h4.tmp"  # no pid (older mtorsim): stale when old
    old.write_text("old")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    with atomic_path(target) as tmp:
        assert tmp.name.startswith(f".out.csv.{os.getpid()}.")
        tmp.write_text("a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert not dead.exists() and not dead_dir.exists() and not old.exists()
    assert not other.exists()  # a dead run's temporary in the folder being written
    assert live.exists() and mine.exists()


def test_a_dataset_moved_aside_by_a_killed_run_is_restored(tmp_path) -> None:
    target = tmp_path / "trial"
    aside = tmp_path / f".trial.{_dead_pid()}.q.old"
    (aside / "data" / "patients").mkdir(parents=True)
    (aside / "data" / "patients" / "x.parquet").write_text("old data")
    assert sweep_stale(target) == [aside]
    assert (target / "patients" / "x.parquet").read_text() == "old data"
    write_partitioned(
        {"patients": pd.DataFrame({"arm": ["a"], "v": [1]})}, target, partition_by="arm"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["trial"]


SLOW_WRITE = textwrap.dedent(
    """
    import sys, time
    import mtorsim.io as io

    def slow(path, text):
        with io.atomic_path(path) as tmp:
            tmp.write_text(text[:100])
            print("READY", flush=True)
            time.sleep(60)

    io.write_text = slow
    sys.argv = ["mtorsim", "trial", "schema", "--out", sys.argv[1]]
    from mtorsim.cli import main
    main()
    """
)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_removes_the_runs_temporaries(tmp_path, sig, code) -> None:
    script = tmp_path / "slow.py"
    script.write_text(SLOW_WRITE)
    out = tmp_path / "out" / "schema.json"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "READY"
        assert [p.name.endswith(".tmp") for p in out.parent.iterdir()] == [True]
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == code
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []


def test_guard_imports_nothing_from_mtorsim_but_errors() -> None:
    """Any layer may use the guard only because it depends on nothing above errors (and the
    table of time units, which depends on nothing)."""
    import ast

    tree = ast.parse(Path(guard.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in modules if m.startswith("mtorsim")} <= {
        "mtorsim.errors",
        "mtorsim.time_units",
    }
    units = ast.parse(Path(guard.__file__).with_name("time_units.py").read_text())
    assert not [
        n for n in ast.walk(units) if isinstance(n, ast.ImportFrom) and "mtorsim" in n.module
    ]


def test_atomic_folder_merges_entry_by_entry_and_keeps_other_files(tmp_path: Path) -> None:
    import os
    import stat

    from mtorsim.io import atomic_folder

    target = tmp_path / "fit"
    (target / "petab").mkdir(parents=True)
    (target / "petab" / "old.tsv").write_text("old")
    (target / "summary.csv").write_text("old")
    (target / "notes.txt").write_text("mine")
    with atomic_folder(target, merge=True) as tmp:
        (tmp / "summary.csv").write_text("new")
        (tmp / "petab").mkdir()
        (tmp / "petab" / "new.tsv").write_text("new")
    assert (target / "summary.csv").read_text() == "new"
    assert sorted(p.name for p in (target / "petab").iterdir()) == ["new.tsv"]
    assert (target / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["fit"]  # no temporaries left
    with pytest.raises(RuntimeError), atomic_folder(target, merge=True) as tmp:
        (tmp / "summary.csv").write_text("half")
        raise RuntimeError("the fit failed")
    assert (target / "summary.csv").read_text() == "new"  # a failed write changes nothing
    umask = os.umask(0o022)
    os.umask(umask)
    with atomic_folder(tmp_path / "fresh") as tmp:
        (tmp / "a.csv").write_text("x")
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o777 & ~umask
