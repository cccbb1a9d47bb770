#!/usr/bin/env bash
# Runs the e2e suite (test/e2e) against NestJS 11, in a temporary copy of the
# repository: npm ci, then the Nest 11 majors of every @nestjs package the
# tests load installed on top (--no-save: package.json and the lock stay as
# they are), then build and Jest. The repository itself is not touched.
#
#   bash scripts/test-nest11.sh            # from anywhere; needs redis-server on PATH
#   NEST11_KEEP=1 bash scripts/test-nest11.sh   # keep the copy to look into it
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/messagio-nest11-XXXXXX")"
if [ "${NEST11_KEEP:-}" = 1 ]; then echo "copy kept in $work"; else trap 'rm -rf "$work"' EXIT; fi

# Everything but installed, built and VCS files.
tar -C "$root" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./.tmp -cf - . | tar -C "$work" -xf -
cd "$work"

npm ci --no-audit --no-fund --loglevel=error
# @nestjs/bullmq 11.0.5 is the first 11.x that accepts bullmq 6. platform-express
# and event-emitter only so that npm's peer checks hold (12.x require Nest 12).
npm install --no-save --no-audit --no-fund --loglevel=error \
  @nestjs/common@11 @nestjs/core@11 @nestjs/testing@11 @nestjs/bullmq@^11.0.5 \
  @nestjs/terminus@11 @nestjs/platform-express@11 @nestjs/event-emitter@3

node -e '
  const v = (p) => require(`${p}/package.json`).version;
  const nest = ["@nestjs/common", "@nestjs/core", "@nestjs/testing", "@nestjs/bullmq", "@nestjs/terminus"];
  console.log("NestJS 11 run: " + nest.map((p) => `${p}@${v(p)}`).join(" ") + ` bullmq@${v("bullmq")}`);
  if (!v("@nestjs/core").startsWith("11.")) { console.error("@nestjs/core is not 11.x"); process.exit(1); }
'

npm run build --silent
mkdir -p .tmp
status=0
NODE_OPTIONS=--experimental-vm-modules npx jest test/e2e --json --outputFile=.tmp/jest-nest11.json || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/jest-nest11.json", "utf8"));
  console.log(`jest (NestJS 11, test/e2e): ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped, ${r.numTotalTestSuites} files`);
' || true
exit "$status"
