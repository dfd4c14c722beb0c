import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { LanguageSegmented } from '../../components/LanguageSwitch.tsx';
import { Logo } from '../../components/Logo.tsx';

interface LoginState {
  from?: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const { me, login, expired } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title = `${t('login.title')} · ${t('product.name')}`;
  useEffect(() => {
    document.title = title;
  }, [title]);

  if (me !== undefined && me !== null && !busy) return <Navigate to={state.from ?? '/'} replace />;

  const submit = async (values: { email: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(values.email.trim(), values.password);
      navigate(state.from !== undefined && state.from !== '/login' ? state.from : '/', { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical style={{ minHeight: '100vh', background: 'linear-gradient(160deg, #0f2644 0%, #1554ad 100%)' }}>
      <Flex justify="flex-end" style={{ padding: '16px 24px' }}>
        <LanguageSegmented />
      </Flex>
      <Flex flex={1} align="center" justify="center" style={{ padding: 24 }}>
        <Card style={{ width: 400, boxShadow: '0 12px 40px rgba(0, 0, 0, 0.25)' }} styles={{ body: { padding: 32 } }}>
          <Flex vertical align="center" gap={4} style={{ marginBottom: 24 }}>
            <Logo size={44} />
            <Typography.Title level={2} style={{ margin: '8px 0 0' }}>
              {t('product.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('product.tagline')}</Typography.Text>
          </Flex>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
          {expired && error === null && (
            <Alert type="info" showIcon message={t('errors.sessionExpired')} style={{ marginBottom: 16 }} />
          )}
          {error !== null && (
            <Alert
              type="error"
              showIcon
              role="alert"
              message={t('login.failed')}
              description={errorText(error, t)}
              style={{ marginBottom: 16 }}
            />
          )}
          <Form name="login" layout="vertical" requiredMark={false} onFinish={(values) => void submit(values)} disabled={busy}>
            <Form.Item
              name="email"
              label={t('login.email')}
              rules={[
                { required: true, message: t('common.required') },
                { type: 'email', message: t('login.emailInvalid') },
              ]}
            >
              <Input prefix={<MailOutlined />} autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('common.required') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
      </Flex>
      <Typography.Text style={{ textAlign: 'center', padding: 16, color: 'rgba(255,255,255,0.65)' }}>
        {t('product.name')} · {t('login.footer')}
      </Typography.Text>
    </Flex>
  );
}
