import {
  ApiOutlined,
  AuditOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  KeyOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  PartitionOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Layout, Menu, Result, Button, Spin, Flex, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { Logo } from '../components/Logo.tsx';
import { AppHeader } from './AppHeader.tsx';
import { UnreadUpdatesBanner } from '../pages/kb/UnreadUpdatesBanner.tsx';
import { RealtimeProvider } from '../realtime/realtime.tsx';
import { landingPage, visibleAreas, type AreaKey } from './navigation.ts';

const areaIcons: Record<AreaKey, ReactNode> = {
  agent: <CustomerServiceOutlined />,
  supervisor: <DashboardOutlined />,
  admin: <SettingOutlined />,
};

const pageIcons: Record<string, ReactNode> = {
  '/admin/users': <TeamOutlined />,
  '/admin/divisions': <PartitionOutlined />,
  '/admin/roles': <SafetyCertificateOutlined />,
  '/admin/api-keys': <KeyOutlined />,
  '/admin/webhooks': <ApiOutlined />,
  '/admin/audit': <AuditOutlined />,
};

/** The signed-in application: left navigation built from the user's permissions, header, and the area pages. */
export default function AppFrame() {
  const { t } = useTranslation();
  const { can } = useSession();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const areas = visibleAreas(can);
  const pages = areas.flatMap((area) => area.pages);
  const landing = landingPage(areas, can);
  const selected = pages.find((page) => location.pathname.startsWith(page.path))?.path;

  const items: MenuProps['items'] = areas.map((area) => ({
    type: 'group' as const,
    key: area.key,
    label: t(area.labelKey),
    children: area.pages.map((page) => ({
      key: page.path,
      icon: pageIcons[page.path] ?? areaIcons[area.key],
      label: <Link to={page.path}>{t(page.labelKey)}</Link>,
    })),
  }));

  const frame = (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        width={224}
        breakpoint="lg"
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        collapsedWidth={64}
        theme="dark"
        trigger={
          <span role="button" aria-label={t('nav.collapse')} aria-expanded={!collapsed}>
            {collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
          </span>
        }
      >
        <Flex align="center" gap={10} style={{ height: 56, padding: '0 18px', overflow: 'hidden' }}>
          <Logo size={28} />
          {!collapsed && (
            <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>
              {t('product.name')}
            </Typography.Text>
          )}
        </Flex>
        <nav aria-label={t('nav.main')}>
          <Menu theme="dark" mode="inline" selectedKeys={selected === undefined ? [] : [selected]} items={items} />
        </nav>
      </Layout.Sider>
      <Layout>
        <AppHeader />
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <UnreadUpdatesBanner />
          <Suspense
            fallback={
              <Flex justify="center" style={{ padding: 64 }}>
                <Spin />
              </Flex>
            }
          >
            <Routes>
              <Route index element={landing === undefined ? <NoAccess /> : <Navigate to={landing.path} replace />} />
              {pages.map((page) => (
                <Route key={page.path} path={`${page.path.slice(1)}/*`} element={<page.component />} />
              ))}
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
  // One realtime socket for every page of people who take or watch work (see realtime/realtime.tsx).
  return <RealtimeProvider enabled={can('agent.desktop') || can('supervisor.console')}>{frame}</RealtimeProvider>;
}

function NoAccess() {
  const { t } = useTranslation();
  const { me } = useSession();
  return <Result status="info" title={t('home.welcome', { name: me?.user.name ?? '' })} subTitle={t('home.noAccess')} />;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('errors.notFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('errors.backHome')}</Button>
        </Link>
      }
    />
  );
}
