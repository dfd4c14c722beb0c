import { Checkbox, Col, Row, Typography } from 'antd';
import type { Permission } from '../../api/types.ts';
import { useLabels } from './admin-data.ts';

/**
 * All permissions as checkboxes in two columns (translated name, then the key): used for custom roles and API key
 * scopes. A form control: Form.Item passes value/onChange.
 */
export function PermissionChecklist(props: {
  permissions: Permission[];
  value?: string[];
  onChange?: (value: string[]) => void;
}) {
  const labels = useLabels();
  return (
    <Checkbox.Group style={{ width: '100%' }} value={props.value ?? []} onChange={(value) => props.onChange?.(value)}>
      <Row gutter={[8, 8]}>
        {props.permissions.map((permission) => (
          <Col span={12} key={permission.key}>
            <Checkbox value={permission.key}>
              {labels.permission(permission.key, permission.description)}{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {permission.key}
              </Typography.Text>
            </Checkbox>
          </Col>
        ))}
      </Row>
    </Checkbox.Group>
  );
}
