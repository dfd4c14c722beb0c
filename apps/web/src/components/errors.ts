import type { FormInstance } from 'antd';
import type { ParseKeys, TFunction } from 'i18next';
import { ApiError, NetworkError } from '../api/client.ts';
import { i18next } from '../i18n/i18n.ts';

/**
 * The text to show a person for a failed request. Codes that mean the same whatever the request (wrong password,
 * no permission, server fault) are translated; specific ones (validation, conflicts) show the server's message.
 */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.code === 'AUTH_LOCKED' && error.retryAfterSeconds !== undefined) {
      return t('login.locked', { seconds: error.retryAfterSeconds });
    }
    const codeKey = `errorCodes.${error.code}`;
    let text = i18next.exists(codeKey) ? t(codeKey as ParseKeys) : error.message;
    if (text === '') text = error.status === 403 ? t('errors.forbidden') : t('errors.generic');
    if (error.status >= 500 && error.requestId !== undefined) text += ` (${t('errors.requestId', { id: error.requestId })})`;
    return text;
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
