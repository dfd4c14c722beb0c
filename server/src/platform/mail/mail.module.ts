// Tenant outbound email (docs/mail.md): the SMTP settings page's API and a "send test mail" action. Other modules
// send through `sendMail` with `MailSettingsService.forSending` (web chat transcripts, from a durable job).
import { z } from 'zod';
import type { KefuModule, ModuleFactory } from '../../module.ts';
import { actorOf } from '../http/access.ts';
import { MailError, sendMail, type MailSenderOptions } from './mail-sender.ts';
import { mailSettingsBody, MailSettingsService } from './mail-settings.service.ts';

export interface MailModule extends KefuModule {
  settings: MailSettingsService;
}

const testBody = z.strictObject({ to: z.email({ message: 'must be an email address' }).max(254) });

export function mailModuleFactory(options: MailSenderOptions = {}): ModuleFactory {
  return (ctx): MailModule => {
    const settings = new MailSettingsService(ctx.database, ctx.secrets);
    return {
      name: 'mail',
      settings,
      routes(app) {
        const access = { config: { access: { permission: 'channels.manage' as const } } };
        app.get('/api/v1/settings/mail', { ...access, schema: { tags: ['mail'] } }, async (r) => ({ settings: await settings.get(actorOf(r)) }));
        app.put('/api/v1/settings/mail', { ...access, schema: { tags: ['mail'], body: mailSettingsBody } }, async (r) => settings.put(actorOf(r), r.body));
        app.delete('/api/v1/settings/mail', { ...access, schema: { tags: ['mail'] } }, async (r, reply) => {
          await settings.remove(actorOf(r));
          return reply.status(204).send();
        });
        // Sends at once (not through a job) so that the admin reads the server's answer on the page.
        app.post('/api/v1/settings/mail/test', { ...access, schema: { tags: ['mail'], body: testBody } }, async (r) => {
          const actor = actorOf(r);
          await settings.get(actor); // the permission check
          const smtp = await settings.forSending(actor.tenantId);
          if (!smtp) return { ok: false, error: 'email is not set up or is turned off' };
          try {
            const sent = await sendMail(
              smtp,
              {
                to: r.body.to,
                subject: 'Kefu 测试邮件 / test mail',
                text: '这是一封来自 Kefu 的测试邮件：外发邮件设置可以使用。\nThis is a test mail from Kefu: the outbound email settings work.',
              },
              options,
            );
            return { ok: true, messageId: sent.messageId };
          } catch (err) {
            if (!(err instanceof MailError)) throw err;
            ctx.logger.warn({ tenantId: actor.tenantId, err: err.message }, 'mail: test mail failed');
            return { ok: false, error: err.message };
          }
        });
      },
    };
  };
}

export const createMailModule: ModuleFactory = mailModuleFactory();

/** The settings service of a module context (stateless: one per caller is fine). */
export const mailSettingsFor = (ctx: Parameters<ModuleFactory>[0]) => new MailSettingsService(ctx.database, ctx.secrets);
