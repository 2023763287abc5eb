#!/usr/bin/env bash
# Print the body of one release's section of a Keep a Changelog file, for release notes:
#   scripts/changelog-section.sh VERSION [CHANGELOG.md]
# VERSION may carry the tag's leading "v" (v0.2.0 and 0.2.0 are the same); "Unreleased" works too.
# The section runs from its "## [VERSION]" heading to the next "## " heading or to the link
# definitions at the end ("[0.2.0]: https://..."), with leading and trailing blank lines dropped.
# A version with no section, or an empty one, is an error: a release must not go out unnoted.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
  echo "usage: $0 VERSION [CHANGELOG.md]" >&2
  exit 2
fi
version=${1#v}
changelog=${2:-CHANGELOG.md}
if [ ! -r "$changelog" ]; then
  echo "error: cannot read $changelog" >&2
  exit 2
fi

body=$(awk -v version="$version" '
  # "## [0.2.0] - 2026-12-01", "## [0.2.0]", or "## 0.2.0 - ..." all open the section.
  function heading_version(line,   v) {
    v = substr(line, 4)
    sub(/^\[/, "", v)
    sub(/[] \t].*$/, "", v)
    return v
  }
  /^## / {
    if (inside) exit
    if (heading_version($0) == version) { inside = 1; found = 1 }
    next
  }
  inside && /^\[[^]]+\]: / { exit }
  inside { print }
  END { if (!found) exit 3 }
' "$changelog") || {
  status=$?
  if [ "$status" -eq 3 ]; then
    echo "error: $changelog has no section for $version" >&2
  fi
  exit 1
}

# Trim leading and trailing blank lines (command substitution already dropped trailing newlines).
body=$(printf '%s\n' "$body" | sed -e '/./,$!d')
if [ -z "${body//[[:space:]]/}" ]; then
  echo "error: the section for $version in $changelog is empty" >&2
  exit 1
fi
printf '%s\n' "$body"
