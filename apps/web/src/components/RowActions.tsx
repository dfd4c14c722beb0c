// The edit and delete links at the end of an admin table row. Delete always asks first, names what goes, and
// leaves the error message to the mutation (a refused delete keeps the row and says why).
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function DeleteAction(props: { name: string; onDelete(): Promise<unknown> }) {
  const { t } = useTranslation();
  return (
    <Popconfirm
      title={t('common.confirmDelete', { name: props.name })}
      okText={t('common.delete')}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: true }}
      onConfirm={() => props.onDelete().catch(() => undefined)}
    >
      <Button type="link" size="small" danger icon={<DeleteOutlined />}>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}

/** Edit and delete, after any row-specific links (`before`). */
export function RowActions(props: { name: string; onEdit(): void; onDelete(): Promise<unknown>; before?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Space size={0}>
      {props.before}
      <Button type="link" size="small" icon={<EditOutlined />} onClick={props.onEdit}>
        {t('common.edit')}
      </Button>
      <DeleteAction name={props.name} onDelete={props.onDelete} />
    </Space>
  );
}
