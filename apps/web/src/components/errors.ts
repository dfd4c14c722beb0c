import type { FormInstance } from 'antd';
import type { TFunction } from 'i18next';
import { ApiError, NetworkError } from '../api/client.ts';

/** The text to show a person for a failed request: the server's own message when it sent one. */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.code === 'AUTH_LOCKED' && error.retryAfterSeconds !== undefined) {
      return t('login.locked', { seconds: error.retryAfterSeconds });
    }
    if (error.message !== '') return error.message;
    if (error.status === 403) return t('errors.forbidden');
    return t('errors.generic');
  }
  if (error instanceof NetworkError) return t('errors.network');
  return t('errors.generic');
}

/**
 * Shows a validation error under the offending form field (error.field) when the form has it.
 * Returns true when it did, so that the caller need not also show a toast.
 */
export function showFieldError(form: FormInstance, error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof ApiError) || error.field === undefined) return false;
  const name = error.field.split('.')[0] ?? error.field;
  if (!fields.includes(name)) return false;
  form.setFields([{ name, errors: [error.message] }]);
  form.scrollToField(name);
  return true;
}
