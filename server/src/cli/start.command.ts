// `kefu start` (what `npm start` runs): builds the web app if it is missing, starts Kefu and prints where it is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.ts';
import { createKefu } from '../main.ts';
import { demoUsers, loginsIn } from '../platform/seed/demo-seed.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

function buildWebIfMissing(config: Config): void {
  if (fs.existsSync(path.join(config.webDist, 'index.html'))) return;
  if (!fs.existsSync(path.join(repoRoot, 'apps', 'web', 'package.json'))) return;
  console.log('Building the web app (first start only)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@kefu/web'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) console.error('kefu: the web app did not build; the API still runs. Run `npm run build` to see why.');
}

export async function startCommand(config: Config): Promise<number> {
  buildWebIfMissing(config);
  const started = Date.now();
  const kefu = await createKefu(config);
  const publicUrl = `http://localhost:${new URL(kefu.url).port}`;
  const lines = [
    '',
    `  客服 Kefu is running at ${publicUrl}  (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  API docs: ${publicUrl}/api/docs    health: ${publicUrl}/api/health`,
    `  Database: ${kefu.embedded ? `embedded PostgreSQL, data in ${path.join(config.dataDir, 'pg')}` : 'DATABASE_URL'}`,
  ];
  if (kefu.demo) {
    lines.push('', '  Demo tenant "Demo 演示" created. Logins:');
    for (const email of kefu.demo.tenant.logins) lines.push(`    ${email.padEnd(24)} ${kefu.demo.password}`);
    if (kefu.demo.credentialsFile) lines.push(`  (this password is shown once; it is also in ${kefu.demo.credentialsFile})`);
  } else if (config.demo.enabled) {
    const file = path.join(config.dataDir, 'demo-credentials.txt');
    const logins = fs.existsSync(file) ? loginsIn(fs.readFileSync(file, 'utf8')) : demoUsers.map((u) => u.email);
    lines.push('', `  Demo logins: ${logins.join(', ')}`);
    lines.push(config.demo.password ? '  password: $KEFU_DEMO_PASSWORD' : fs.existsSync(file) ? `  password: see ${file}` : '');
  }
  lines.push('', '  Press Ctrl+C to stop.', '');
  console.log(lines.join('\n'));

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\nkefu: ${signal} received, stopping…`);
      kefu.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  console.log('kefu: stopped.');
  return 0;
}
