// The registrar of the voice service (RFC 3261 §10.3) with one digest realm per tenant: the domain a phone
// registers to (its To host) names the tenant, whose extensions are the accounts. Known and unknown extensions,
// wrong passwords and unknown domains all get the same 401 challenge (RFC 7616 §5.x, no enumeration), and a
// source that keeps failing is banned by the ScannerGuard.
import { randomBytes } from 'node:crypto';
import { DigestAuthenticator, Registrar, type AuthResult, type Binding, type IncomingRequest, type SipRequest } from '@kefu/sip';
import type { ScannerGuard } from './scanner-guard.ts';
import type { VoiceDirectory } from './voice-directory.ts';

/** A DigestAuthenticator that reports failed attempts (wrong or unknown credentials) to the scanner guard. */
class GuardedAuthenticator extends DigestAuthenticator {
  constructor(opts: ConstructorParameters<typeof DigestAuthenticator>[0], private readonly guard: ScannerGuard) {
    super(opts);
  }

  override async authenticate(req: SipRequest): Promise<AuthResult> {
    const result = await super.authenticate(req);
    const address = req.source?.address;
    if (address) {
      // 'missing' is the normal first round trip, 'stale' an expired nonce: neither is an attack.
      if (!result.ok && (result.reason === 'invalid' || result.reason === 'replay')) this.guard.fail(address);
      if (result.ok) this.guard.succeed(address);
    }
    return result;
  }
}

export interface RealmInfo {
  tenantId: string | undefined;
  realm: string;
}

const SAFE_REALM = /^[A-Za-z0-9.:[\]-]{1,100}$/;

export class TenantRegistrar {
  /** One nonce key for every realm, so that a nonce from one process serves every tenant's challenges. */
  private readonly nonceKey = randomBytes(32);
  private readonly registrars = new Map<string, Registrar>();
  private readonly authenticators = new Map<string, GuardedAuthenticator>();
  /** tenantId|extension → the AORs it registered (a phone may register under an IP or a domain). */
  private readonly aors = new Map<string, Set<string>>();
  /** Called when a phone registers anew (not for refreshes: those keep their Call-ID, RFC 3261 §10.2.4). */
  onRegistered: ((tenantId: string, extension: string) => void) | undefined;
  private readonly registrationCallIds = new Map<string, string>();

  constructor(
    private readonly directory: VoiceDirectory,
    private readonly guard: ScannerGuard,
    /** The tenant used when a request's domain names none (single-tenant installations, the demo). */
    private readonly fallbackTenant: () => Promise<{ tenantId: string; realm: string } | undefined>,
  ) {}

  /** The tenant and realm a request addresses: by domain, else the fallback, else an unknown realm. */
  async realmOf(domain: string): Promise<RealmInfo> {
    const host = domain.toLowerCase();
    const tenantId = await this.directory.tenantOfDomain(host);
    if (tenantId) return { tenantId, realm: host };
    const fallback = await this.fallbackTenant();
    if (fallback) return fallback;
    return { tenantId: undefined, realm: SAFE_REALM.test(host) ? host : 'kefu' };
  }

  /** The authenticator of a realm (cached for tenants; a throwaway one for unknown realms, which never succeed). */
  authenticator(info: RealmInfo, proxy = false): DigestAuthenticator {
    const make = (): GuardedAuthenticator =>
      new GuardedAuthenticator({
        realm: info.realm,
        secret: this.nonceKey,
        proxy,
        lookup: async (username) => {
          if (!info.tenantId) return undefined;
          const password = await this.directory.extensionPassword(info.tenantId, username);
          return password === undefined ? undefined : { password };
        },
      }, this.guard);
    if (!info.tenantId) return make();
    const key = `${info.tenantId}|${info.realm}|${proxy}`;
    let auth = this.authenticators.get(key);
    if (!auth) {
      auth = make();
      this.authenticators.set(key, auth);
    }
    return auth;
  }

  private registrarFor(info: RealmInfo & { tenantId: string }): Registrar {
    const key = `${info.tenantId}|${info.realm}`;
    let registrar = this.registrars.get(key);
    if (!registrar) {
      registrar = new Registrar({ auth: this.authenticator(info), minExpires: 30 });
      const tenantId = info.tenantId;
      registrar.on('registered', (b) => {
        if (!b.username) return;
        const k = `${tenantId}|${b.username}`;
        const set = this.aors.get(k) ?? new Set<string>();
        set.add(b.aor);
        this.aors.set(k, set);
        const contactKey = `${k}|${b.contact}`;
        if (this.registrationCallIds.get(contactKey) !== b.callId) {
          this.registrationCallIds.set(contactKey, b.callId);
          this.onRegistered?.(tenantId, b.username);
        }
      });
      this.registrars.set(key, registrar);
    }
    return registrar;
  }

  /** Handles a REGISTER (use as `ua.on('register', …)`). */
  async handle(inc: IncomingRequest): Promise<void> {
    const address = inc.request.source?.address;
    if (address && this.guard.isBanned(address)) return inc.reply(403);
    const to = inc.request.to.uri;
    if (to.kind !== 'sip') return inc.reply(400, { reason: 'To must be a SIP URI' });
    const info = await this.realmOf(to.host);
    if (!info.tenantId) {
      // An unknown domain: the same challenge as anywhere else, and never a success.
      const result = await this.authenticator(info).authenticate(inc.request);
      if (!result.ok) return inc.tx.respond(result.response);
      return inc.reply(403);
    }
    await this.registrarFor({ ...info, tenantId: info.tenantId }).handle(inc);
  }

  /** Live bindings of a tenant's extension. */
  bindings(tenantId: string, extension: string): Binding[] {
    const out: Binding[] = [];
    for (const aor of this.aors.get(`${tenantId}|${extension}`) ?? []) {
      for (const [key, registrar] of this.registrars) {
        if (!key.startsWith(`${tenantId}|`)) continue;
        out.push(...registrar.lookup(aor).filter((b) => b.username === extension));
      }
    }
    return out;
  }

  /** Every live binding of a tenant (for the admin console). */
  registrations(tenantId: string): { extension: string; contact: string; expiresAt: string; transport: string | null; address: string | null }[] {
    const out = [];
    for (const key of this.aors.keys()) {
      const [t, extension] = key.split('|');
      if (t !== tenantId || !extension) continue;
      for (const b of this.bindings(tenantId, extension)) {
        out.push({ extension, contact: b.contact, expiresAt: new Date(b.expiresAt).toISOString(), transport: b.source?.transport ?? null, address: b.source?.address ?? null });
      }
    }
    return out;
  }
}
