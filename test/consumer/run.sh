#!/usr/bin/env bash
# The consumer check: the package as a user gets it. Packs the library with `npm pack` (what
# `npm publish` uploads; prepack builds dist/ afresh), then for each app in test/consumer/apps/:
# copies it to a temporary directory outside the repository, installs its own dependencies (a
# fresh NestJS app's), runs the install lines of test/consumer/install-lines.json (the ones the
# docs quote) with the tarball in place of `nestjs-messagio`, and runs the app's typecheck and its
# Jest suite, configured as the docs say:
#   nest12-esm  NestJS 12, "type": "module", Jest in ESM mode (jest.config.mjs)
#   nest11-cjs  NestJS 11, CommonJS, Jest in CommonJS mode with `nest new`'s own config, unchanged
# Each suite swaps MessagioModule for MessagioTestingModule and uses the harness and the
# nestjs-messagio/testing/jest matchers, fires once through BullMQ on a private redis-server
# (startRedisServer from nestjs-messagio/testing), and checks that a listener error's stack
# names the package's .ts files and that their source can be shown.
#
#   npm run test:consumer                           # needs redis-server on PATH and the npm registry
#   CONSUMER_APPS=nest11-cjs npm run test:consumer  # one app only
#   CONSUMER_KEEP=1 npm run test:consumer           # keep the temporary apps to look into them
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/test/consumer"
work="$(mktemp -d "${TMPDIR:-/tmp}/messagio-consumer-XXXXXX")"
if [ "${CONSUMER_KEEP:-}" = 1 ]; then echo "consumer check: apps kept in $work"; else trap 'rm -rf "$work"' EXIT; fi
started=$SECONDS
npm_flags=(--no-audit --no-fund --prefer-offline --loglevel=error)

echo "consumer check: npm pack"
(cd "$root" && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
tarball="$(ls "$work"/nestjs-messagio-*.tgz)"

# Runs one install line of install-lines.json (e.g. `nest12.app`), as written, except that the
# package's own name is replaced by the tarball (so the line must name it, or nothing is checked).
install_line() {
  local key="$1" line word
  line="$(node -p 'const [major, part] = process.argv[1].split("."); require(process.argv[2])[major][part]' "$key" "$here/install-lines.json")"
  echo "consumer check: $line"
  read -ra words <<<"$line"
  [ "${words[0]} ${words[1]}" = "npm install" ] || { echo "install-lines.json $key is not an npm install line: $line" >&2; return 1; }
  local args=()
  for word in "${words[@]:2}"; do
    if [ "$word" = nestjs-messagio ]; then args+=("$tarball"); else args+=("$word"); fi
  done
  npm install "${npm_flags[@]}" "${args[@]}"
}

# Fails unless the app got the NestJS major it stands for: an install line that lets npm pick
# another major (e.g. @nestjs/bullmq 12 into a NestJS 11 app) is a broken recipe.
check_majors() {
  local major="$1"
  node -e '
    const major = process.argv[1];
    const v = (p) => require(require("path").resolve("node_modules", p, "package.json")).version;
    const nest = ["@nestjs/common", "@nestjs/core", "@nestjs/bullmq", "@nestjs/testing"];
    console.log("  " + [...nest, "bullmq", "jest", "ts-jest", "typescript", "nestjs-messagio"].map((p) => `${p}@${v(p)}`).join(" "));
    const wrong = nest.filter((p) => v(p).split(".")[0] !== major);
    if (wrong.length) { console.error(`  not NestJS ${major}: ${wrong.map((p) => `${p}@${v(p)}`).join(", ")}`); process.exit(1); }
  ' "$major"
}

apps=(${CONSUMER_APPS:-nest12-esm nest11-cjs})
failed=()
for app in "${apps[@]}"; do
  major="${app#nest}"; major="${major%%-*}"
  dir="$work/$app"
  echo "consumer check: $app (NestJS $major) in $dir"
  cp -R "$here/apps/$app" "$dir"
  # errexit holds in a subshell only outside `||` and `if`: hence set +e around it.
  set +e
  (
    set -e
    cd "$dir"
    npm install "${npm_flags[@]}"
    install_line "nest$major.app"
    install_line "nest$major.tests"
    check_majors "$major"
    npm run --silent typecheck
    npm test --silent -- --json --outputFile=jest-results.json
  )
  status=$?
  set -e
  # One summary line per app, from Jest's own results (absent when it never ran).
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const broken = r.numRuntimeErrorTestSuites ? ` (${r.numRuntimeErrorTestSuites} failed to run)` : "";
    console.log(`consumer check ${process.argv[2]} (jest): ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numTotalTestSuites} files${broken}`);
  ' "$dir/jest-results.json" "$app" 2>/dev/null || echo "consumer check $app: Jest did not run"
  [ "$status" -eq 0 ] || failed+=("$app")
done

echo "consumer check: ${#apps[@]} apps in $((SECONDS - started)) s${failed:+, failed: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
