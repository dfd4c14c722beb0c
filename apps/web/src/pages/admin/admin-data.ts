import { useQuery } from '@tanstack/react-query';
import type { FormInstance } from 'antd';
import { useEffect } from 'react';
import type { ParseKeys } from 'i18next';
import { useTranslation } from 'react-i18next';
import { divisionsApi, itemsOf, rolesApi } from '../../api/endpoints.ts';
import type { Role } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';

// Reference data several admin pages share (roles, divisions, permissions) and their translated labels.

export const queryKeys = {
  users: ['users'] as const,
  roles: ['roles'] as const,
  permissions: ['permissions'] as const,
  divisions: ['divisions'] as const,
  apiKeys: ['api-keys'] as const,
  webhooks: ['webhooks'] as const,
  catalog: ['events-catalog'] as const,
  audit: ['audit'] as const,
};

const BUILT_IN_ORDER = ['admin', 'supervisor', 'agent', 'qa', 'knowledge_editor', 'staff', 'client_viewer'];

/** Built-in roles first, in the order of docs/api.md (most powerful first), then custom roles by name. */
export function sortRoles(roles: Role[]): Role[] {
  const rank = (role: Role) => {
    const index = BUILT_IN_ORDER.indexOf(role.key);
    return role.builtIn ? (index === -1 ? BUILT_IN_ORDER.length : index) : BUILT_IN_ORDER.length + 1;
  };
  return [...roles].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'zh-CN'));
}

export function useRoles() {
  const { can } = useSession();
  return useQuery({
    queryKey: queryKeys.roles,
    queryFn: async () => sortRoles(itemsOf(await rolesApi.list())),
    enabled: can('roles.read'),
  });
}

export function usePermissions() {
  const { can } = useSession();
  return useQuery({
    queryKey: queryKeys.permissions,
    queryFn: async () => itemsOf(await rolesApi.permissions()),
    enabled: can('roles.read'),
  });
}

export function useDivisions() {
  const { can } = useSession();
  return useQuery({
    queryKey: queryKeys.divisions,
    queryFn: async () => itemsOf(await divisionsApi.list()),
    enabled: can('divisions.read'),
  });
}

/**
 * Fills the `divisionId` of a form for a new object with the first division once the divisions have loaded.
 * A form's initialValues apply only when it mounts: divisions that arrive after a dialog opened (a busy server) left
 * the field empty, and "create" then failed validation on a field the person could not see.
 */
export function useFirstDivisionDefault(form: FormInstance, isNew: boolean): void {
  const divisions = useDivisions();
  useEffect(() => {
    const first = divisions.data?.[0]?.id;
    if (isNew && first && !form.getFieldValue('divisionId')) form.setFieldsValue({ divisionId: first });
  }, [divisions.data, form, isNew]);
}

/** Translated names of permission keys and built-in roles; unknown ones fall back to what the server says. */
export function useLabels() {
  const { t, i18n } = useTranslation();
  const translated = (key: string, fallback: string) =>
    i18n.exists(key) ? t(key as ParseKeys) : fallback;
  return {
    permission: (key: string, description?: string) =>
      translated(`permissionNames.${key.replaceAll('.', '_')}`, description ?? key),
    /** Event types of the catalog (also the audit actions): translated when known, else the server's text. */
    event: (type: string, description?: string) =>
      translated(`eventNames.${type.replaceAll('.', '_')}`, description ?? type),
    role: (role: Pick<Role, 'key' | 'name' | 'builtIn'>) =>
      role.builtIn ? translated(`builtInRoles.${role.key}`, role.name) : role.name,
  };
}
