"""Print the HTTP headers for publishing a built site: `python -m scripts.headers site/<slug> [--netlify]`.

Without options: the Content-Security-Policy value (for a CloudFront response headers policy or any
server). With --netlify: a `_headers` file to write into the site's folder before deploying. With
--cache: each file of the site with its Cache-Control value. See docs/publishing.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.site.headers import cache_control, content_security_policy, netlify_headers_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.headers", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder, like site/lux-smiles")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--netlify", action="store_true", help="print a Netlify _headers file")
    group.add_argument("--cache", action="store_true", help="print each file with its Cache-Control value")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"error: {args.site} is not a built site (no index.html); run `notices build` first", file=sys.stderr)
        return 1
    if args.netlify:
        sys.stdout.write(netlify_headers_file(args.site))
    elif args.cache:
        for path in sorted(p.relative_to(args.site).as_posix() for p in args.site.rglob("*") if p.is_file()):
            print(f"{cache_control(path)}\t{path}")
    else:
        print(content_security_policy(args.site))
    return 0


if __name__ == "__main__":
    sys.exit(main())
