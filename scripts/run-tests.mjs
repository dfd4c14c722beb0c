#!/usr/bin/env node
// Runs every test with vitest and closes with one line "N passed, N failed".
//
// Test messages (RFC 4475, SDP c= lines) name foreign hosts, so the whole suite runs inside a
// loopback-only network namespace when the machine allows it: nothing a test does can leave it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (process.env.KEFU_TEST_NETNS !== '1' && process.env.KEFU_TEST_NETNS !== 'off') {
  const inner = `ip link set lo up && exec "${process.execPath}" "${fileURLToPath(import.meta.url)}" "$@"`;
  const unshareArgs = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
  const probe = spawnSync('unshare', [...unshareArgs, 'true'], { stdio: 'ignore' });
  if (probe.status === 0) {
    const r = spawnSync('unshare', [...unshareArgs, 'sh', '-c', inner, 'sh', ...args], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, KEFU_TEST_NETNS: '1' },
    });
    process.exit(r.status ?? 1);
  }
  console.warn('run-tests: cannot create a loopback-only network namespace (unshare -n); running in the host network');
}

const outDir = path.join(root, '.test-results');
mkdirSync(outDir, { recursive: true });
// One file per run: several runs may share a checkout.
const jsonFile = path.join(outDir, `results-${process.pid}.json`);
rmSync(jsonFile, { force: true });
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...args],
  { stdio: 'inherit', cwd: root, env: process.env },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(jsonFile)) {
  const results = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed = results.numPassedTests ?? 0;
  // A file that failed outside its tests (a hook, an import) counts as one failure of its own.
  const brokenFiles = (results.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  failed = (results.numFailedTests ?? 0) + brokenFiles;
  // Tests that passed only on a retry are flaky: name them, so that they are fixed rather than forgotten.
  const flaky = (results.testResults ?? []).flatMap((f) =>
    // vitest's JSON keeps the errors of the failed attempts in failureMessages of a test that passed in the end.
    (f.assertionResults ?? []).filter((a) => a.status === 'passed' && (a.failureMessages?.length ?? 0) > 0),
  );
  if (flaky.length) {
    console.log(`passed only after a retry (flaky): ${flaky.map((a) => a.fullName).join(' | ')}`);
    // The first failure of each, since this file is deleted below: the cause is what gets a flaky test fixed.
    for (const a of flaky) console.log(`  ${a.fullName}: ${String(a.failureMessages[0]).split('\n').slice(0, 6).join(' / ').slice(0, 600)}`);
  }
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  rmSync(jsonFile, { force: true });
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
