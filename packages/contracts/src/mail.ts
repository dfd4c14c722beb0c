// A tenant's outbound email (SMTP) settings as the API shows them (docs/mail.md): the password itself never leaves
// the server, only whether one is set.
export interface MailSettingsView {
  host: string;
  port: number;
  tlsMode: 'none' | 'starttls' | 'tls';
  tlsVerify: boolean;
  username: string | null;
  passwordSet: boolean;
  fromAddress: string;
  fromName: string;
  enabled: boolean;
  updatedAt: string;
}
