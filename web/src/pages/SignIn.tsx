import { useState } from 'preact/hooks';
import { api, must } from '../api';
import { Field, FormProblem, useForm } from '../components/forms';
import { config } from '../config';
import { locale, setLocale, t } from '../i18n';
import { go, route } from '../router';
import { signIn } from '../session';
import { validate } from '../validate';

/** On stage `local`, "sign in as" anyone (POST /dev/token); on AWS, Cognito's hosted UI. */
export function SignIn() {
  const form = useForm(['user_id', 'groups']);
  const [userId, setUserId] = useState('');
  const [groups, setGroups] = useState<('producer' | 'admin')[]>([]);

  if (config.auth === 'cognito') {
    return (
      <>
        <h1>{t('sign_in')}</h1>
        <button type="button" onClick={() => import('../oidc').then((m) => m.startSignIn())}>{t('sign_in_cognito')}</button>
      </>
    );
  }
  const toggle = (group: 'producer' | 'admin') =>
    setGroups((now) => (now.includes(group) ? now.filter((g) => g !== group) : [...now, group]));
  const send = (e: Event) => {
    e.preventDefault();
    const body = { user_id: userId.trim(), groups };
    form.submit(validate('DevToken', body), async () => {
      const { token } = await must(api().POST('/dev/token', { body }));
      // The profile's language, when there is a profile.
      const me = await must(api().GET('/me', { headers: { Authorization: `Bearer ${token}` } })).catch(() => null);
      if (me?.created_at && me.locale !== locale.value) setLocale(me.locale);
      signIn(token);
      const next = new URLSearchParams(route.value.split('?')[1] ?? '').get('next');
      go(next && next.startsWith('/') ? next : '/me');
    });
  };
  return (
    <>
      <h1>{t('sign_in')}</h1>
      <p>{t('sign_in_local')}</p>
      <form onSubmit={send} noValidate>
        <Field id="user_id" label={t('user_id')} value={userId} error={form.errors.user_id}
               autoComplete="username" onInput={(e) => setUserId(e.currentTarget.value)} />
        <fieldset>
          <legend>{t('groups')}</legend>
          <label><input type="checkbox" checked={groups.includes('producer')} onChange={() => toggle('producer')} /> {t('group_producer')}</label>
          <label><input type="checkbox" checked={groups.includes('admin')} onChange={() => toggle('admin')} /> {t('group_admin')}</label>
          {form.errors.groups && <p class="error" role="alert">{form.errors.groups}</p>}
        </fieldset>
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('sign_in')}</button>
      </form>
    </>
  );
}
