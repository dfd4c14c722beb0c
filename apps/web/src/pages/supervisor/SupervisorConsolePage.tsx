import { DashboardOutlined } from '@ant-design/icons';
import { Card, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader.tsx';

/** The supervisor console arrives with the routing and analytics issues; this page holds its place. */
export default function SupervisorConsolePage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('supervisor.title')} />
      <Card>
        <Result icon={<DashboardOutlined />} title={t('common.comingSoon')} subTitle={t('supervisor.placeholder')} />
      </Card>
    </>
  );
}
