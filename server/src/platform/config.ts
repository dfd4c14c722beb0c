// Configuration, parsed once from the environment (STYLE.md: config parsed once). A wrong value stops
// startup with a message naming the variable. Every variable is documented in README.md.
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const boolFlag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

export const envSchema = z.object({
  KEFU_HTTP_PORT: port.default(8080),
  KEFU_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  KEFU_DB_PORT: port.optional(),
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\//, 'must be a nats:// URL')
    .optional(),
  KEFU_DEMO: boolFlag.default(true),
  KEFU_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  KEFU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEFU_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes)')
    .optional(),
  KEFU_COOKIE_SECURE: boolFlag.default(false),
  KEFU_SESSION_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
  KEFU_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  KEFU_WEB_DIST: z.string().optional(),
  KEFU_SIP_PORT: port.default(5060),
  KEFU_SIP_HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_MEDIA_IP: z.string().min(1).optional(),
  KEFU_RTP_PORT_MIN: port.default(20000),
  KEFU_RTP_PORT_MAX: port.default(29999),
  KEFU_SIP_BAN_SECONDS: z.coerce.number().int().min(0).max(86_400 * 7).default(600),
  KEFU_TRUST_PROXY: z
    .string()
    .regex(/^[0-9a-fA-F.:/,\s]+$|^(loopback|linklocal|uniquelocal)(,\s*(loopback|linklocal|uniquelocal))*$/, 'must be addresses/CIDRs, or loopback/linklocal/uniquelocal')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  http: { port: number; host: string; bodyLimit: number; trustProxy: string[] | false };
  dataDir: string;
  database: { url: string | undefined; embeddedPort: number | undefined };
  natsUrl: string | undefined;
  demo: { enabled: boolean; password: string | undefined };
  logLevel: Env['KEFU_LOG_LEVEL'];
  secretKeyHex: string | undefined;
  session: { cookieSecure: boolean; hours: number };
  webDist: string;
  /** Voice (docs/voice.md): SIP listener (UDP and TCP on one port), RTP media address and ports, scanner ban. */
  voice: { sipPort: number; sipHost: string; mediaIp: string | undefined; rtpPorts: { min: number; max: number }; banSeconds: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as shells and compose files often leave them so.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        const value = name.includes('PASSWORD') || name.includes('SECRET') || name === 'DATABASE_URL' ? '(hidden)' : JSON.stringify(present[name]);
        return `${name}=${value}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    http: {
      port: e.KEFU_HTTP_PORT,
      host: e.KEFU_HTTP_HOST,
      bodyLimit: e.KEFU_BODY_LIMIT_BYTES,
      trustProxy: e.KEFU_TRUST_PROXY ? e.KEFU_TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean) : false,
    },
    dataDir: path.resolve(e.KEFU_DATA_DIR),
    database: { url: e.DATABASE_URL, embeddedPort: e.KEFU_DB_PORT },
    natsUrl: e.NATS_URL,
    demo: { enabled: e.KEFU_DEMO, password: e.KEFU_DEMO_PASSWORD },
    logLevel: e.KEFU_LOG_LEVEL,
    secretKeyHex: e.KEFU_SECRET_KEY,
    session: { cookieSecure: e.KEFU_COOKIE_SECURE, hours: e.KEFU_SESSION_HOURS },
    webDist: e.KEFU_WEB_DIST ? path.resolve(e.KEFU_WEB_DIST) : path.join(repoRoot, 'apps', 'web', 'dist'),
    voice: { sipPort: e.KEFU_SIP_PORT, sipHost: e.KEFU_SIP_HOST, mediaIp: e.KEFU_MEDIA_IP, rtpPorts: { min: e.KEFU_RTP_PORT_MIN, max: e.KEFU_RTP_PORT_MAX }, banSeconds: e.KEFU_SIP_BAN_SECONDS },
  };
}
