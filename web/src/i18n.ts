import { signal } from '@preact/signals';
import { formatMoney, type Locale } from './money';
import { messages } from './messages';

export type { Locale };
export const locale = signal<Locale>(initialLocale());

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem('coprod.locale');
  if (saved === 'fr' || saved === 'en') return saved;
  return globalThis.navigator?.language?.startsWith('en') ? 'en' : 'fr';
}

export function setLocale(value: Locale): void {
  locale.value = value;
  localStorage.setItem('coprod.locale', value);
  document.documentElement.lang = value;
}

export type Key = keyof typeof messages.fr;

/** The message `key` in the current language, `{name}` replaced by `values.name`. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  const text: string = messages[locale.value][key] ?? messages.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

export const money = (cents: number) => formatMoney(cents, locale.value);

/** A moment (ISO 8601) in the viewer's time zone. */
export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale.value === 'fr' ? 'fr-FR' : 'en-GB',
    { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A calendar day (YYYY-MM-DD), as written. */
export function day(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return new Intl.DateTimeFormat(locale.value === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** Whole days left until the end (UTC) of `deadline`, never negative. */
export function daysLeft(deadline: string, now: Date = new Date()): number {
  const [y, m, d] = deadline.split('-').map(Number);
  const end = Date.UTC(y, m - 1, d + 1);
  return Math.max(0, Math.ceil((end - now.getTime()) / 86_400_000));
}
