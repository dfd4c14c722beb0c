import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Space, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { mailApi, type MailSettingsInput } from './mail-api.ts';

interface MailForm extends Omit<MailSettingsInput, 'password' | 'username'> {
  username: string;
  password: string;
}

const fields = ['host', 'port', 'tlsMode', 'tlsVerify', 'username', 'password', 'fromAddress', 'fromName', 'enabled'];

/** Outbound email (SMTP) of the tenant: server, encryption, login (password write-only), sender; and a test mail. */
export default function MailSettingsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: ['mail', 'settings'], queryFn: mailApi.get });
  const [form] = Form.useForm<MailForm>();
  const [busy, setBusy] = useState(false);
  const [testTo, setTestTo] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; error?: string } | null>(null);
  const s = current.data?.settings ?? null;

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await mailApi.save({
        host: v.host.trim(),
        port: v.port,
        tlsMode: v.tlsMode,
        tlsVerify: v.tlsVerify,
        username: v.username?.trim() || null,
        // An empty password field keeps the stored one.
        ...(v.password ? { password: v.password } : {}),
        fromAddress: v.fromAddress.trim(),
        fromName: v.fromName?.trim() ?? '',
        enabled: v.enabled,
      });
      form.setFieldValue('password', '');
      void message.success(t('common.saved'));
      await queryClient.invalidateQueries({ queryKey: ['mail', 'settings'] });
    } catch (error) {
      if (!showFieldError(form, error, fields)) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  const test = async () => {
    setTesting(true);
    setResult(null);
    try {
      setResult(await mailApi.test(testTo.trim()));
    } catch (error) {
      setResult({ ok: false, error: errorText(error, t) });
    } finally {
      setTesting(false);
    }
  };

  if (current.isLoading) return <PageHeader title={t('mail.title')} subtitle={t('mail.subtitle')} />;
  return (
    <>
      <PageHeader title={t('mail.title')} subtitle={t('mail.subtitle')} />
      {current.isError && <Alert type="error" showIcon message={errorText(current.error, t)} style={{ marginBottom: 16 }} />}
      {!s && !current.isError && <Alert type="info" showIcon message={t('mail.notSet')} style={{ marginBottom: 16 }} />}
      <Card>
        <Form<MailForm>
          form={form}
          layout="vertical"
          style={{ maxWidth: 560 }}
          initialValues={{
            host: s?.host ?? '',
            port: s?.port ?? 587,
            tlsMode: s?.tlsMode ?? 'starttls',
            tlsVerify: s?.tlsVerify ?? true,
            username: s?.username ?? '',
            password: '',
            fromAddress: s?.fromAddress ?? '',
            fromName: s?.fromName ?? '',
            enabled: s?.enabled ?? true,
          }}
        >
          <Space align="start">
            <Form.Item name="host" label={t('mail.host')} rules={[{ required: true, message: t('common.required') }]}>
              <Input style={{ width: 300 }} placeholder="smtp.example.com" />
            </Form.Item>
            <Form.Item name="port" label={t('mail.port')} rules={[{ required: true, message: t('common.required') }]}>
              <InputNumber min={1} max={65535} style={{ width: 120 }} aria-label={t('mail.port')} />
            </Form.Item>
          </Space>
          <Form.Item name="tlsMode" label={t('mail.tlsMode')}>
            <Select
              aria-label={t('mail.tlsMode')}
              options={[
                { value: 'starttls', label: t('mail.tlsStarttls') },
                { value: 'tls', label: t('mail.tlsTls') },
                { value: 'none', label: t('mail.tlsNone') },
              ]}
            />
          </Form.Item>
          <Form.Item name="tlsVerify" label={t('mail.tlsVerify')} extra={t('mail.tlsVerifyHelp')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="username" label={t('mail.username')}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label={t('mail.password')}>
            <Input.Password autoComplete="new-password" placeholder={s?.passwordSet ? t('mail.passwordKept') : ''} />
          </Form.Item>
          <Form.Item name="fromAddress" label={t('mail.fromAddress')} rules={[{ required: true, message: t('common.required') }]}>
            <Input placeholder="service@example.com" />
          </Form.Item>
          <Form.Item name="fromName" label={t('mail.fromName')}>
            <Input maxLength={120} />
          </Form.Item>
          <Form.Item name="enabled" label={t('mail.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Space>
            <Button type="primary" loading={busy} onClick={() => void save().catch(() => undefined)}>
              {t('mail.save')}
            </Button>
            {s && (
              <Button
                danger
                onClick={() =>
                  void mailApi.remove().then(
                    () => queryClient.invalidateQueries({ queryKey: ['mail', 'settings'] }),
                    (err: unknown) => message.error(errorText(err, t)),
                  )
                }
              >
                {t('mail.remove')}
              </Button>
            )}
          </Space>
        </Form>
      </Card>
      {s && (
        <Card title={t('mail.testTitle')} style={{ marginTop: 16 }}>
          <Space.Compact style={{ maxWidth: 560, width: '100%' }}>
            <Input value={testTo} onChange={(e) => setTestTo(e.target.value)} placeholder="you@example.com" aria-label={t('mail.testTo')} />
            <Button type="primary" loading={testing} disabled={!testTo.trim()} onClick={() => void test()}>
              {t('mail.testSend')}
            </Button>
          </Space.Compact>
          {result && (
            <Alert style={{ marginTop: 12 }} showIcon type={result.ok ? 'success' : 'error'} message={result.ok ? t('mail.testOk') : t('mail.testFailed', { error: result.error ?? '' })} />
          )}
        </Card>
      )}
    </>
  );
}
