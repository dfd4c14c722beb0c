import { DownOutlined, LockOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Dropdown, Flex, Layout, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { LanguageMenu } from '../components/LanguageSwitch.tsx';
import { ChangePasswordModal } from './ChangePasswordModal.tsx';

export function AppHeader() {
  const { t } = useTranslation();
  const { me, logout } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [changingPassword, setChangingPassword] = useState(false);

  const signOut = async () => {
    try {
      await logout();
    } finally {
      navigate('/login', { replace: true });
      void message.info(t('header.loggedOut'));
    }
  };

  return (
    <Layout.Header style={{ borderBottom: '1px solid #e5e8ee', display: 'flex', alignItems: 'center' }}>
      <Flex align="center" gap={8} style={{ flex: 1, minWidth: 0 }}>
        <Typography.Text type="secondary">{t('header.tenant')}</Typography.Text>
        <Tag color="blue" style={{ margin: 0 }}>
          {me?.tenant.name}
        </Tag>
      </Flex>
      <Flex align="center" gap={8}>
        <LanguageMenu />
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'password', icon: <LockOutlined />, label: t('header.changePassword') },
              { type: 'divider' },
              { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout'), danger: true },
            ],
            onClick: ({ key }) => {
              if (key === 'password') setChangingPassword(true);
              if (key === 'logout') void signOut();
            },
          }}
        >
          <Button type="text" aria-label={t('header.userMenu')} style={{ height: 40 }}>
            <Flex align="center" gap={8}>
              <Avatar size="small" icon={<UserOutlined />} style={{ background: '#1554ad' }} />
              <Flex vertical align="flex-start" style={{ lineHeight: 1.2 }}>
                <Typography.Text strong>{me?.user.name}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {me?.user.email}
                </Typography.Text>
              </Flex>
              <DownOutlined style={{ fontSize: 10 }} />
            </Flex>
          </Button>
        </Dropdown>
      </Flex>
      <ChangePasswordModal open={changingPassword} onClose={() => setChangingPassword(false)} />
    </Layout.Header>
  );
}
