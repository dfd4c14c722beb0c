// The outbound email settings endpoints (docs/mail.md).
import type { MailSettingsView } from '@kefu/contracts';
import { http } from '../../api/client.ts';

export type MailSettings = MailSettingsView;

export interface MailSettingsInput extends Omit<MailSettings, 'passwordSet' | 'updatedAt'> {
  /** Absent: keep the stored password; null: remove it. */
  password?: string | null;
}

export const mailApi = {
  get: () => http.get<{ settings: MailSettings | null }>('/api/v1/settings/mail'),
  save: (input: MailSettingsInput) => http.put<MailSettings>('/api/v1/settings/mail', input),
  remove: () => http.delete('/api/v1/settings/mail'),
  test: (to: string) => http.post<{ ok: boolean; error?: string; messageId?: string }>('/api/v1/settings/mail/test', { to }),
};
