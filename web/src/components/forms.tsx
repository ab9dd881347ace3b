import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from '../api';
import { t } from '../i18n';
import type { FieldErrors } from '../validate';

/** The form's clock (tests move it past a Retry-After). */
export const clock = { now: () => Date.now() };

/** A form's state: errors by field (the API names the field at fault), one problem for the
 * form, and a wait after a 503 (Retry-After) during which it is not sent again. */
export function useForm(fields: string[]) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState(0);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!waitUntil) return;
    if (waitUntil <= clock.now()) return void tick((n) => n + 1);
    const timer = setInterval(() => (clock.now() >= waitUntil ? (clearInterval(timer), tick((n) => n + 1)) : tick((n) => n + 1)), 250);
    return () => clearInterval(timer);
  }, [waitUntil]);

  function fail(error: unknown) {
    const p = error instanceof ApiProblem ? error : new ApiProblem('unexpected', String(error));
    const field = p.field && fields.find((f) => p.field === f || p.field!.startsWith(`${f}.`) || p.field!.startsWith(`${f}[`));
    if (field) {
      setErrors({ [field]: p.message });
      setFailure(null);
    } else {
      setErrors({});
      setFailure(p);
    }
    if (p.status === 503 || p.code === 'network') setWaitUntil(clock.now() + (p.retryAfter ?? 2) * 1000);
  }

  /** Runs `action` unless invalid or already running; its ApiProblem lands next to its field. */
  async function submit(invalid: FieldErrors, action: () => Promise<void>) {
    if (busy || waitUntil > clock.now()) return;
    setErrors(invalid);
    setFailure(null);
    if (Object.keys(invalid).length) return;
    setBusy(true);
    try {
      await action();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }
  const waiting = Math.max(0, Math.ceil((waitUntil - clock.now()) / 1000));
  return { errors, setErrors, failure, busy, waiting, submit, fail };
}

export function Field(props: {
  id: string; label: string; error?: string; hint?: string; children?: ComponentChildren;
} & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'id'>) {
  const { id, label, error, hint, children, ...input } = props;
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children ?? <input id={id} name={id} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...input} />}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="error" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}

/** A problem that names no field of the form; a 503 says to try again, and when. */
export function FormProblem({ failure, waiting }: { failure: ApiProblem | null; waiting: number }) {
  if (!failure) return null;
  const unavailable = failure.status === 503 || failure.code === 'network';
  return (
    <div class="problem" role="alert">
      {unavailable ? (waiting > 0 ? t('try_again_in', { s: waiting }) : t('try_again')) : failure.message}
    </div>
  );
}

export function Progress({ percent, label }: { percent: number; label: string }) {
  const shown = Math.max(0, Math.min(100, percent));
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={shown}>
      <span style={{ width: `${shown}%` }} />
    </div>
  );
}
