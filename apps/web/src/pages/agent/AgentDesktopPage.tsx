import { CustomerServiceOutlined } from '@ant-design/icons';
import { Card, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader.tsx';

/** The agent desktop arrives with the routing and voice issues; this page holds its place in the navigation. */
export default function AgentDesktopPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('agent.title')} />
      <Card>
        <Result icon={<CustomerServiceOutlined />} title={t('common.comingSoon')} subTitle={t('agent.placeholder')} />
      </Card>
    </>
  );
}
