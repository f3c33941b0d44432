from tests.golden import GOLDEN, rendered


def test_rendered_notices_match_the_golden_files():
    current = rendered()
    stored = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(current) == sorted(stored), "run `make golden` and review the diff"
    for rel, text in current.items():
        assert text == stored[rel], f"{rel} differs from its golden file: run `make golden` and review the diff"
