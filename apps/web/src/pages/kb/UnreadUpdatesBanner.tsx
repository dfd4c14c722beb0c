import { useQuery } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { kbApi } from './kb-api.ts';
import { kbKeys } from './kb-data.ts';

/**
 * Shown above every page after sign-in while the person has unread (or unacknowledged) new-business updates:
 * a banner rather than a modal, so that it never blocks the work in front of them.
 */
export function UnreadUpdatesBanner() {
  const { t } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const unread = useQuery({
    queryKey: [...kbKeys.updates, 'unread'],
    queryFn: () => kbApi.updates(true),
    enabled: me?.user !== null && me !== undefined,
    refetchInterval: 5 * 60_000,
  });
  const count = unread.data?.length ?? 0;
  if (count === 0 || location.pathname.startsWith('/kb/updates')) return null;
  return (
    <Alert
      type="warning"
      showIcon
      banner
      data-testid="kb-unread-banner"
      style={{ marginBottom: 16 }}
      message={t('kb.updates.unreadBanner', { count })}
      action={
        <Button size="small" type="primary" onClick={() => navigate('/kb/updates')}>
          {t('kb.updates.view')}
        </Button>
      }
    />
  );
}
