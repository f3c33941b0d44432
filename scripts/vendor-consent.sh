#!/bin/sh
# Fetch the pinned vanilla-cookieconsent release from the npm registry and copy its built files here.
# The version and the tarball's sha256 are pinned below: to update, change both (`npm view
# vanilla-cookieconsent version`, then `npm pack vanilla-cookieconsent@X.Y.Z` and `sha256sum` it), run
# `make vendor-consent`, read the release notes for changes to the configuration generator/consent.py
# writes, and run the consent tests (tests/test_consent.py, tests/test_consent_browser.py).
set -eu
VERSION=3.1.0
SHA256=1d106b5f433b60d945dfed4c54f5535a8f61a30f2559b3f7548ed79e482aa4b6
DEST=templates/assets/vendor/cookieconsent

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "vanilla-cookieconsent@$VERSION" >/dev/null)
tarball="$work/vanilla-cookieconsent-$VERSION.tgz"
echo "$SHA256  $tarball" | sha256sum -c --quiet -
tar -xzf "$tarball" -C "$work"
mkdir -p "$DEST"
cp "$work/package/dist/cookieconsent.umd.js" "$work/package/dist/cookieconsent.css" "$work/package/LICENSE" "$DEST/"
printf '%s\n' "$VERSION" > "$DEST/VERSION"
echo "vendored vanilla-cookieconsent $VERSION into $DEST"
