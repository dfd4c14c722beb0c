// Requests handed to the application: answer with reply(), or (INVITE) turn into a dialog with ua.createUAS().
import type { SipRequest } from '../message/message.ts';
import type { ServerTransaction } from '../transaction/server.transaction.ts';
import { applyReply, type ReplyOptions } from '../dialog/responder.ts';
import type { Dialog } from '../dialog/dialog.ts';
import { newTag } from '../message/builders.ts';
import type { DigestAuthenticator } from '../auth/digest.server.ts';

export class IncomingRequest {
  /** The To tag used for every response to this request (one dialog per request, §12.1.1). */
  readonly localTag = newTag();
  answered = false;
  constructor(
    readonly request: SipRequest,
    readonly tx: ServerTransaction,
  ) {}

  get method(): string {
    return this.request.method;
  }

  /**
   * Checks digest credentials (e.g. phones calling out through the B2BUA). Resolves with the user name, or
   * undefined after answering the request with the 401/407 challenge.
   */
  async authenticate(auth: DigestAuthenticator): Promise<string | undefined> {
    const result = await auth.authenticate(this.request);
    if (result.ok) return result.username;
    if (!this.answered) {
      this.answered = true;
      this.tx.respond(result.response);
    }
    return undefined;
  }

  /** Sends a response; the first final response wins, later calls are ignored. */
  reply(status: number, opts: ReplyOptions = {}): void {
    if (this.answered) return;
    if (status >= 200) this.answered = true;
    this.tx.respond(applyReply(this.tx.response(status, undefined, status > 100 ? this.localTag : undefined), opts));
  }
}

export class IncomingInvite extends IncomingRequest {
  cancelled = false;
  /** The dialog named by a Replaces header (RFC 3891), for attended transfer. */
  replaces: Dialog | undefined;
  private readonly cancelHandlers: Array<() => void> = [];

  onCancel(fn: () => void): void {
    if (this.cancelled) fn();
    else this.cancelHandlers.push(fn);
  }

  /** Called by the UA when CANCEL arrived (the INVITE was already answered 487). */
  markCancelled(): void {
    this.cancelled = true;
    this.answered = true;
    for (const fn of this.cancelHandlers.splice(0)) fn();
  }
}
