import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger } from './logger.ts';

test('secrets never reach a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('info', sink);
  log.info({ password: 'hunter22', body: { password: 'p2', newPassword: 'p3' }, secret: 'whsec_x', req: { headers: { authorization: 'Bearer kefu_abc', cookie: 'kefu_session=s' } } }, 'login');
  const text = lines.join('');
  for (const secret of ['hunter22', 'p2', 'p3', 'whsec_x', 'kefu_abc', 'kefu_session=s']) expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
});
