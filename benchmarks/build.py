"""How fast `notices build` is at scale: `python -m benchmarks.build [--clinics 1000] [--versions 3]`.

Generates N fictional clinics (each a US clinic with three notices and one published version of each;
`--versions K` gives each notice K, each adding a section to the one before, the last one scheduled
after the build date when K >= 3; in ten groups), then times, each as its own `notices build --no-pdf`
process, as a user runs it:
  1. the full build (nothing kept from before);
  2. a second build with nothing changed (every clinic skipped, its site kept), three times: the median;
  3. one clinic's data edited (only that clinic rebuilt), three times: the median; then 10 and 100
     clinics edited;
  4. every clinic built again (`--force`), with the archived pages kept by the full build
     (.cache/pages, generator/site/page_cache.py);
  5. this build against the naive way, interleaved (A B A B): in each round, `--force` on a chunk of
     clinics with nothing kept, then the same site written as a MkDocs project and built by
     `mkdocs build` as its own process, one per clinic, on a few of the same clinics (`--sample`,
     4); the ratio round by round
     (min, median, max), so that the machine's load falls on both alike;
  6. history: projects of `--history` clinics with 1, 3 and 10 versions of each notice, each built
     first and then again (three times: the median): seconds per clinic.
PDFs are off (`--no-pdf`): they are made once per version and cached in .cache/pdf, so they cost
nothing on later builds; the first build with PDFs costs more.

Peak memory is the largest sum of the resident memory of the build process and its workers, sampled
from /proc every 0.1 s (shared pages are counted in each process, so this overstates it). Each figure
is printed with the machine's load average at the time. The last line printed is one JSON object.
Each figure is the command's own time, until it returns: the old sites it switched out are emptied
after that by a process of their own (generator/site/trash.py), which the benchmark waits for, untimed,
before the next step, so that its work falls on no later figure.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
GROUPS = 10
PROTOTYPE = REPO / "clinics" / "harbourview-family-clinic" / "clinic.yaml"
DROP = {"group", "name", "legal_name", "site_url", "clinic_website", "languages", "branding"}


def log(line: str) -> None:
    print(line, flush=True)


# --------------------------------------------------------------------------------------------------
# The fictional clinics


def _without_keys(text: str, keys: set[str]) -> str:
    out, skipping = [], False
    for line in text.splitlines():
        top = re.match(r"^([A-Za-z_]+)\s*:", line)
        if top:
            skipping = top.group(1) in keys
        elif line and not line[0].isspace() and not line.startswith("#"):
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def slug_of(i: int) -> str:
    return f"bench-{i:04d}"


def clinic_yaml(i: int, body: str) -> str:
    slug = slug_of(i)
    colour = f"{(i * 2654435761) % 0xFFFFFF:06x}"
    return (f"group: bench-group-{i % GROUPS:02d}\n"
            f"name: Bench Clinic {i:04d} (fictional)\n"
            f"legal_name: Bench Clinic {i:04d} Example LLC\n"
            f"site_url: https://notices.example.org/{slug}/\n"
            f"clinic_website: https://{slug}.example.org/\n"
            f"branding:\n  primary_color: \"#{colour}\"\n" + body)


def make_project(root: Path, n: int, per_notice: int = 1) -> None:
    """A project with the real templates and mkdocs.yml and n fictional clinics, each notice with
    `per_notice` published versions (see version_history)."""
    from generator.site.prepare import prepare
    from generator.data.load import Project
    from generator.notices.render import escape_markdown
    from generator.publishing.versions import MATERIAL, Version
    from generator.publishing.writing import write_version

    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    group_text = (REPO / "groups" / "jane-app-clinics.yaml").read_text(encoding="utf-8")
    (root / "groups").mkdir()
    for g in range(GROUPS):
        (root / "groups" / f"bench-group-{g:02d}.yaml").write_text(group_text, encoding="utf-8")
    body = _without_keys(PROTOTYPE.read_text(encoding="utf-8"), DROP)
    for i in range(n):
        folder = root / "clinics" / slug_of(i)
        folder.mkdir(parents=True)
        (folder / "clinic.yaml").write_text(clinic_yaml(i, body), encoding="utf-8")

    project = Project(root)
    (proto,) = prepare(project, [slug_of(0)], AS_OF)  # the drafts, rendered once; other clinics differ by name
    proto_name = escape_markdown(proto.loaded.clinic.name)
    proto_legal = escape_markdown(proto.loaded.clinic.legal_name)
    for i in range(n):
        name = escape_markdown(f"Bench Clinic {i:04d} (fictional)")
        legal = escape_markdown(f"Bench Clinic {i:04d} Example LLC")
        for notice, draft in proto.drafts.items():
            content = draft.markdown.replace(proto_legal, legal).replace(proto_name, name)
            for number, effective, published, summary, content in version_history(content, per_notice, i):
                write_version(project, slug_of(i), Version(
                    notice=notice, number=number, lang="en", title=draft.title, effective=effective,
                    published=published, approved_by="A. Officer", summary=summary, kind=MATERIAL, content=content))


_V2 = ("\n## What changed in October\n\nWe now send appointment reminders by text message as well as by email. "
       "You can ask us to stop at any time.\n")
_LAST = ("\n## What changes in December\n\nWe will keep records of online bookings for six years instead of "
         "seven, and delete them securely after that.\n")


def version_history(first: str, k: int, i: int) -> list[tuple[int, date, date, str, str]]:
    """(number, effective, published, summary, content) of a notice's k versions: each adds a section to
    the one before; with 3 or more, the last one is published and comes into force after AS_OF, the others
    came into force 120 days apart, the second-last on 2025-10-01 (offset by the clinic's number)."""
    off = timedelta(days=i % 28)
    past = k - 1 if k >= 3 else k
    out, content = [], first
    for number in range(1, k + 1):
        if number == 1:
            summary = "First version."
        elif number == 2:
            summary, content = "We now send appointment reminders by text message.", content + _V2
        elif number == k:
            summary, content = "We keep booking records for six years.", content + _LAST
        else:
            summary = f"Revision {number}: how long we keep call recordings."
            content += (f"\n## Revision {number}\n\nWe keep recordings of calls to our front desk for "
                        f"{100 - number} days, then delete them.\n")
        if number <= past:
            effective = date(2025, 10, 1) - timedelta(days=120 * (past - number)) + off
            published = effective - timedelta(days=30)
        else:
            effective, published = date(2026, 12, 15) + off, date(2026, 11, 1) + timedelta(days=i % 20)
        out.append((number, effective, published, summary, content))
    return out


def edit_clinic(root: Path, i: int, round_: int) -> None:
    path = root / "clinics" / slug_of(i) / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^legal_name: .*$", f"legal_name: Bench Clinic {i:04d} Example LLC (edit {round_})",
                           text, count=1, flags=re.M), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Timing a build process and sampling its memory


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
                parents[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, todo = set(), [pid]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, pp in parents.items() if pp == p and c not in tree]
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for p in tree:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_build(root: Path, *args: str, workers: int | None = None) -> tuple[float, int, str]:
    """(seconds, peak resident bytes of the process tree, stdout) of one `notices build` process."""
    cmd = [sys.executable, "-m", "generator.cli", "build", "--no-pdf", "--as-of", AS_OF.isoformat(),
           "--root", str(root), *(["--workers", str(workers)] if workers else []), *args]
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            if os.path.isdir("/proc"):
                peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{out}\n{err}")
    _cleaned(root)
    return seconds, peak, out.strip()


def _cleaned(root: Path, timeout: float = 300) -> None:
    """Wait, untimed, for the cleaner a build leaves behind (generator/site/trash.py) to empty the old
    sites: its work, done after the command returned, then falls on no figure that follows."""
    from generator.site import trash

    end = time.monotonic() + timeout
    while not trash.idle(root) and time.monotonic() < end:
        time.sleep(0.02)


def built_count(out: str) -> int:
    match = re.search(r"built (\d+) site", out)
    return int(match.group(1)) if match else -1


# --------------------------------------------------------------------------------------------------
# The naive way: each clinic's site as a MkDocs project, built by `mkdocs build` in its own process


def naive_build(root: Path, slug: str, work: Path) -> float:
    from generator.announcing.embed import embed_files
    from generator.site.prepare import prepare, site_spec
    from generator.data.load import Project
    from generator.site.builder import base_config, brand_css

    start = time.perf_counter()
    project = Project(root)
    (p,) = prepare(project, [slug], AS_OF)
    spec = site_spec(project, p, AS_OF, False)
    docs, out = work / slug / "docs", work / slug / "site"
    for page in spec.pages:
        (docs / page.path).parent.mkdir(parents=True, exist_ok=True)
        (docs / page.path).write_text(page.markdown, encoding="utf-8")
    (docs / "assets").mkdir(parents=True, exist_ok=True)
    (docs / "assets" / "brand.css").write_text(brand_css(spec), encoding="utf-8")
    own = sorted(a for a in (root / "templates" / "assets").glob("*") if a.suffix in (".css", ".js"))
    for asset in own:
        shutil.copy(asset, docs / "assets" / asset.name)
    config = dict(base_config(root / "mkdocs.yml"))
    config.update(site_name=spec.name, site_url=spec.site_url, docs_dir=str(docs), site_dir=str(out),
                  theme={**config.get("theme", {}), "language": spec.lang},
                  nav=[{pg.nav_title: pg.path} for pg in spec.pages if pg.nav_title],
                  extra_css=["assets/brand.css"] + [f"assets/{a.name}" for a in own if a.suffix == ".css"],
                  extra_javascript=[f"assets/{a.name}" for a in own if a.suffix == ".js"])
    cfg = work / slug / "mkdocs.yml"
    cfg.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    subprocess.run([str(mkdocs), "build", "-q", "-f", str(cfg)], check=True, cwd=work / slug,
                   env={**os.environ, "SOURCE_DATE_EPOCH": str(spec.epoch), "NO_MKDOCS_2_WARNING": "1"})
    for name, data in {**spec.extra_files, **embed_files(project, p, AS_OF)}.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------------


def _uptime() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return "load " + " ".join(fh.read().split()[:3])
    except OSError:
        return "load unknown"


def _clear_kept(root: Path, slugs: list[str]) -> None:
    """Forget the pages kept for these clinics (.cache/pages): their next build is a first build."""
    for slug in slugs:
        shutil.rmtree(root / ".cache" / "pages" / slug, ignore_errors=True)


def interleaved(root: Path, n: int, rounds: int, chunk: int, sample: int, workers: int, base: Path) -> dict:
    """A B A B: in each round, this build (`notices build --force` of `chunk` clinics, their kept pages
    forgotten first, so each is built as the full build builds it) and then the naive way on `sample`
    of the same clinics, spread over them; the ratio of their seconds per clinic, round by round, so that the machine's load at
    that moment falls on both alike. This build's figure includes its process start."""
    naive_dir = base / "naive"
    naive_dir.mkdir(exist_ok=True)
    naive_build(root, slug_of(0), naive_dir / "warmup")  # imports in this process, not timed
    ratios, ours, theirs = [], [], []
    for r in range(rounds):
        slugs = [slug_of((r * chunk + j) % n) for j in range(min(chunk, n))]
        _clear_kept(root, slugs)
        secs, _, out = run_build(root, "--force", *slugs, workers=workers)
        assert built_count(out) == len(slugs), out
        a = secs / len(slugs)
        picks = slugs[::max(1, len(slugs) // sample)][:sample]  # the same sample: clinics this round built
        b = statistics.mean(naive_build(root, slug, naive_dir / f"r{r}") for slug in picks)
        ours.append(a)
        theirs.append(b)
        ratios.append(b / a)
        log(f"  round {r + 1}: this build {a:.3f} s per clinic ({len(slugs)} clinics), naive {b:.2f} s per clinic "
            f"({sample}): ratio {b / a:.1f} ({_uptime()})")
    return {"ratio_min": round(min(ratios), 1), "ratio_median": round(statistics.median(ratios), 1),
            "ratio_max": round(max(ratios), 1), "baseline": statistics.median(theirs), "ours": statistics.median(ours)}


def history(n: int, workers: int, base: Path) -> dict[str, dict[str, float]]:
    """Seconds per clinic of a project of n clinics with 1, 3 and 10 versions of each notice: the first
    build (nothing kept) and a build of every clinic again (`--force`) with the pages kept by the first
    (the median of three such builds)."""
    out: dict[str, dict[str, float]] = {"first": {}, "again": {}}
    for k in (1, 3, 10):
        root = base / f"history-{k}"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        make_project(root, n, k)
        first, _, text = run_build(root, workers=workers)
        assert built_count(text) == n, text
        agains = []
        for _ in range(3):  # the median of three: with kept pages, the machine's noise is a large share
            secs, _, text = run_build(root, "--force", workers=workers)
            assert built_count(text) == n, text
            agains.append(secs)
        again = statistics.median(agains)
        out["first"][str(k)] = round(first / n, 4)
        out["again"][str(k)] = round(again / n, 4)
        log(f"  {k} version{'s' * (k > 1)} of each notice: first build {first / n:.3f} s per clinic, "
            f"again with kept pages {again / n:.3f} s per clinic ({n} clinics; {_uptime()})")
        shutil.rmtree(root, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinics", type=int, default=1000, help="how many clinics (default 1000)")
    parser.add_argument("--versions", type=int, default=1, choices=range(1, 21), metavar="1-20",
                        help="published versions of each notice (default 1: three per clinic)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of this build and the naive way, interleaved (default 5)")
    parser.add_argument("--chunk", type=int, default=100, help="clinics this build builds in each round (default 100)")
    parser.add_argument("--sample", type=int, default=4,
                        help="of the clinics of each round, how many are built the naive way too (default 4)")
    parser.add_argument("--history", type=int, default=50,
                        help="clinics of the projects with 1, 3 and 10 versions of each notice (default 50; 0: skip)")
    parser.add_argument("--workers", type=int, default=None, help="build processes (default: one per core)")
    parser.add_argument("--dir", type=Path, default=None, help="where to generate the project (default: a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args(argv)
    n = args.clinics
    sys.path.insert(0, str(REPO))

    base = args.dir or Path(tempfile.mkdtemp(prefix="notices-bench-"))
    root = base / "project"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    try:
        from generator.site.parallel import default_workers

        # As pip leaves an installed package: compiled. (PYTHONDONTWRITEBYTECODE, set on some machines,
        # would otherwise make every `notices` process compile the package again.)
        compileall.compile_dir(REPO / "generator", quiet=1)

        workers = args.workers or default_workers()
        log(f"generating {n} fictional clinics: 3 notices each, {args.versions} published version"
            f"{'s' * (args.versions > 1)} of each notice ({3 * args.versions} per clinic), in {root}")
        t = time.perf_counter()
        make_project(root, n, args.versions)
        log(f"  generated in {time.perf_counter() - t:.1f} s")
        log(f"PDFs: off (--no-pdf); they are made once per version and cached in .cache/pdf. Workers: {workers}; "
            f"cores: {os.cpu_count()}; {_uptime()}")

        seconds, peak, out = run_build(root, workers=workers)
        assert built_count(out) == n, out
        pages = sum(1 for _ in (root / "site").glob("*/**/index.html"))
        log(f"full build: {seconds:.1f} s for {n} clinics = {seconds / n:.3f} s per clinic, {pages} pages = "
            f"{pages / seconds:.0f} pages/s, peak memory {peak / 2**20:.0f} MB (process and workers) ({_uptime()})")

        noops = []
        for _ in range(3):
            secs, peak_k, out = run_build(root, workers=workers)
            assert built_count(out) == 0, out
            noops.append(secs)
            peak = max(peak, peak_k)
        noop = statistics.median(noops)
        log(f"nothing changed: {noop:.2f} s, median of " + ", ".join(f"{x:.2f}" for x in noops)
            + f" s (the first also records file sizes and times for the next check) ({out}; {_uptime()})")

        other = root / "site" / slug_of(n - 1) / "index.html"
        before = other.stat().st_mtime_ns
        ones = []
        for round_ in range(1, 4):
            edit_clinic(root, 0, round_)
            secs, peak_k, out = run_build(root, workers=workers)
            assert built_count(out) == 1, out
            ones.append(secs)
            peak = max(peak, peak_k)
        assert other.stat().st_mtime_ns == before
        one = statistics.median(ones)
        log(f"one clinic edited: {one:.2f} s, median of " + ", ".join(f"{x:.2f}" for x in ones)
            + f" s ({out}; {_uptime()})")

        changed = {1: one}
        for k in (10, 100):
            if k >= n:
                break
            for i in range(k):
                edit_clinic(root, (i * 7919) % n, 2 + k)
            secs, peak_k, out = run_build(root, workers=workers)
            assert built_count(out) == k, out
            peak = max(peak, peak_k)
            changed[k] = secs
        log("changed clinics → seconds: " + ", ".join(f"{k} → {s:.2f} s" for k, s in changed.items())
            + " (the fixed part is the process start and the check of every clinic)")
        if len(changed) > 1:
            ks = sorted(changed)
            slope = (changed[ks[-1]] - changed[ks[0]]) / (ks[-1] - ks[0])
            log(f"  marginal cost per changed clinic: {slope:.3f} s")

        secs, peak_k, out = run_build(root, "--force", workers=workers)
        assert built_count(out) == n, out
        peak = max(peak, peak_k)
        log(f"every clinic built again (--force), archived pages kept from the full build: {secs:.1f} s = "
            f"{secs / n:.3f} s per clinic ({_uptime()})")
        again = secs / n

        log(f"interleaved, {args.rounds} rounds (this build: `--force` on {args.chunk} clinics, nothing kept; "
            f"naive: `mkdocs build` as its own process per clinic, {args.sample} clinics):")
        inter = interleaved(root, n, args.rounds, args.chunk, args.sample, workers, base)
        per_clinic = seconds / n
        log(f"naive way: {inter['baseline']:.2f} s per clinic (median); ratio to this build: min {inter['ratio_min']}, "
            f"median {inter['ratio_median']}, max {inter['ratio_max']}")
        by_versions = history(args.history, workers, base) if args.history else None
        if by_versions:
            first = by_versions["first"]
            log(f"history: 10 versions of each notice cost {first['10'] / first['1']:.2f}x one version per clinic on a "
                f"first build, {by_versions['again']['10'] / by_versions['again']['1']:.2f}x when built again")
        result = {
            "clinics": n,
            "versions": args.versions,
            "seconds": round(seconds, 2),
            "seconds_per_clinic": round(per_clinic, 4),
            "baseline_seconds_per_clinic": round(inter["baseline"], 3),
            "ratio": inter["ratio_median"],
            "ratio_min": inter["ratio_min"],
            "ratio_max": inter["ratio_max"],
            "noop_seconds": round(noop, 2),
            "one_clinic_seconds": round(one, 2),
            "again_seconds_per_clinic": round(again, 4),
            "peak_rss_mb": round(peak / 2**20),
        }
        if by_versions:
            result["seconds_per_clinic_by_versions"] = by_versions["first"]
            result["again_seconds_per_clinic_by_versions"] = by_versions["again"]
        result["load"] = _uptime().removeprefix("load ")
        print(json.dumps(result), flush=True)
        return result
    finally:
        if not args.keep:
            shutil.rmtree(base if args.dir is None else root, ignore_errors=True)
            if args.dir is not None:
                for name in ("naive", *(f"history-{k}" for k in (1, 3, 10))):
                    shutil.rmtree(base / name, ignore_errors=True)


if __name__ == "__main__":
    main()
