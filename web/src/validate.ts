// The request bodies' constraints from the OpenAPI document (src/api/constraints.ts,
// generated), checked before sending: the same rules the API enforces.
import { constraints } from './api/constraints';
import { t } from './i18n';

export interface Rule {
  required?: boolean; minimum?: number; maximum?: number; minLength?: number; maxLength?: number;
  pattern?: string; enum?: unknown[]; maxItems?: number;
}
export type Rules = Record<string, Rule>;
export type FieldErrors = Record<string, string>;

export function validate(schema: string, body: Record<string, unknown>): FieldErrors {
  const rules = constraints[schema] ?? {};
  const errors: FieldErrors = {};
  for (const [field, rule] of Object.entries(rules)) {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      if (rule.required) errors[field] = t('err_required');
      continue;
    }
    if (typeof value === 'number') {
      if (rule.minimum !== undefined && value < rule.minimum) errors[field] = t('err_min', { min: rule.minimum });
      else if (rule.maximum !== undefined && value > rule.maximum) errors[field] = t('err_max', { max: rule.maximum });
    } else if (typeof value === 'string') {
      if (rule.minLength !== undefined && value.length < rule.minLength) errors[field] = t('err_short', { n: rule.minLength });
      else if (rule.maxLength !== undefined && value.length > rule.maxLength) errors[field] = t('err_long', { n: rule.maxLength });
      else if (rule.pattern && !new RegExp(rule.pattern, 'u').test(value)) errors[field] = t('err_pattern');
      else if (rule.enum && !rule.enum.includes(value)) errors[field] = t('err_choice');
    }
  }
  return errors;
}
