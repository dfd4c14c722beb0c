import { ImportOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Input, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ContactDrawer } from './ContactDrawer.tsx';
import { crmApi, type Contact } from './crm-api.ts';
import { ImportModal } from './ImportModal.tsx';

/** Contacts: search by name, company or a piece of a phone number; open one to see its record; import a list. */
export default function ContactsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const contacts = useQuery({ queryKey: ['crm', 'contacts', q], queryFn: () => crmApi.contacts({ q: q || undefined, limit: 100 }) });

  const columns: ColumnsType<Contact> = [
    { title: t('crm.name'), dataIndex: 'displayName', render: (name: string) => <strong>{name}</strong> },
    {
      title: t('crm.kinds.phone'),
      key: 'phone',
      render: (_, c) => c.identities.filter((i) => i.kind === 'phone').map((i) => <div key={i.id}>{i.value}</div>),
    },
    { title: t('crm.kinds.email'), key: 'email', render: (_, c) => c.identities.find((i) => i.kind === 'email')?.value ?? '—' },
    { title: t('crm.company'), key: 'company', render: (_, c) => c.company?.name ?? '—' },
    { title: t('crm.tags'), dataIndex: 'tags', render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>) },
    { title: t('crm.vip'), dataIndex: 'vipLevel', width: 80 },
  ];

  return (
    <>
      <PageHeader
        title={t('crm.title')}
        subtitle={t('crm.subtitle')}
        extra={
          can('crm.manage') && (
            <Button icon={<ImportOutlined />} onClick={() => setImporting(true)}>
              {t('crm.import')}
            </Button>
          )
        }
      />
      <Input.Search aria-label={t('crm.search')} placeholder={t('crm.searchPlaceholder')} allowClear onSearch={setQ} style={{ maxWidth: 420, marginBottom: 16 }} />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Contact>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={contacts.data?.items ?? []}
          loading={contacts.isLoading}
          scroll={{ x: 800 }}
          onRow={(c) => ({ onClick: () => setOpen(c.id), style: { cursor: 'pointer' } })}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: contacts.isError ? errorText(contacts.error, t) : t('crm.empty') }}
        />
      </Card>
      {open && <ContactDrawer contactId={open} onClose={() => setOpen(null)} />}
      {importing && (
        <ImportModal
          onClose={() => setImporting(false)}
          onImported={() => {
            setImporting(false);
            void queryClient.invalidateQueries({ queryKey: ['crm', 'contacts'] });
          }}
        />
      )}
    </>
  );
}
