// Money is integer cents, EUR: formatted and parsed without floating point.
export type Locale = 'fr' | 'en';

function groups(euros: string, separator: string): string {
  return euros.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** `12,50 EUR` in French, `EUR 12.50` in English (`1 234,50 EUR` / `EUR 1,234.50`). */
export function formatMoney(cents: number, locale: Locale): string {
  if (!Number.isInteger(cents)) throw new Error(`not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100));
  const rest = String(abs % 100).padStart(2, '0');
  if (locale === 'fr') return `${sign}${groups(euros, '\u202f')},${rest} EUR`;
  return `EUR ${sign}${groups(euros, ',')}.${rest}`;
}

/** What a person types (`25`, `25,5`, `25.50`, `1 000`) as cents; null when it is not an amount. */
export function parseMoney(text: string): number | null {
  const compact = text.trim().replace(/[\s\u202f\u00a0]/g, '').replace(/^EUR|EUR$|€/g, '');
  const match = /^(\d{1,11})(?:[.,](\d{1,2}))?$/.exec(compact);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}
