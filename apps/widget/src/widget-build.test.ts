// The built widget: the loader a site's <script> tag pulls in stays under 10 KB gzipped, and no built file
// writes HTML (everything a visitor or agent typed is set as text).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(app, 'dist');

beforeAll(() => {
  if (!existsSync(join(dist, 'loader.js')) || !existsSync(join(dist, 'chat.html'))) {
    execFileSync('npm', ['run', 'build', '-w', '@kefu/widget'], { cwd: join(app, '..', '..'), stdio: 'pipe', timeout: 180_000 });
  }
}, 200_000);

describe('widget build', () => {
  test('the loader is smaller than 10 KB gzipped', () => {
    const size = gzipSync(readFileSync(join(dist, 'loader.js')), { level: 9 }).length;
    expect(size).toBeGreaterThan(200); // it was built and is not empty
    expect(size).toBeLessThan(10 * 1024);
  });

  test('no widget script writes HTML or evaluates strings', () => {
    const scripts = [join(dist, 'loader.js'), ...readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => join(dist, 'assets', f))];
    for (const file of scripts) {
      const code = readFileSync(file, 'utf8');
      expect(code, file).not.toMatch(/\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
    }
  });
});
