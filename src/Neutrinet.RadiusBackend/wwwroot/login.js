// The login page is drawn entirely from GET /api/auth/providers: a form per form module, a button per provider.
'use strict';

(() => {
  const { t, el, show } = App;
  let providers = [];

  function fieldLabel(field) {
    const key = `field.${field.name}`;
    return t(key) === key ? field.label : t(key);
  }

  function formFor(provider) {
    const status = el('div', { id: `status-${provider.name}`, role: 'alert', hidden: true });
    const inputs = (provider.fields ?? []).map(f => {
      const id = `${provider.name}-${f.name}`;
      return [el('label', { for: id, text: fieldLabel(f) }),
        el('input', { id, name: f.name, type: f.type, required: true, autocomplete: f.type === 'password' ? 'current-password' : f.name === 'email' ? 'username' : undefined })];
    }).flat();
    const form = el('form', { class: 'login-form', 'data-provider': provider.name, novalidate: false }, ...inputs,
      el('button', { type: 'submit', text: t('login.submit') }), status);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const body = Object.fromEntries(new FormData(form));
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        const response = await fetch(provider.submitUrl, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        if (response.ok) { location.assign('/member.html'); return; }
        let problem = {};
        try { problem = await response.json(); } catch { /* not JSON */ }
        show(status.id, response.status === 401 ? t('login.failed') : (problem.detail || problem.title || `HTTP ${response.status}`));
      } catch {
        show(status.id, t('offline'));
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function draw() {
    const root = document.getElementById('providers');
    root.replaceChildren();
    const forms = providers.filter(p => p.kind === 'form');
    const redirects = providers.filter(p => p.kind === 'redirect');
    for (const p of forms) root.append(formFor(p));
    if (redirects.length > 0) {
      root.append(el('div', { class: 'provider-buttons', role: 'group', 'aria-label': t('login.or') },
        ...(forms.length > 0 ? [el('p', { class: 'muted', text: t('login.or') })] : []),
        ...redirects.map(p => el('a', { class: 'button provider-button', href: p.startUrl, 'data-provider': p.name, text: t('login.with', p.displayName) }))));
    }
    if (providers.length === 0) root.append(el('p', { text: t('login.none') }));
    document.getElementById('register-link').hidden = !forms.some(p => p.registerUrl);
    showError();
  }

  function showError() {
    const params = new URLSearchParams(location.search);
    const code = params.get('error');
    if (!code) return;
    const known = ['provider_unavailable', 'provider_failed', 'email_not_verified', 'email_missing', 'no_subject', 'suspended', 'unavailable', 'session'];
    const name = params.get('provider');
    const provider = providers.find(p => p.name === name);
    // Only known codes and configured provider names reach the page: nothing from the URL is shown verbatim.
    show('error', t(`error.${known.includes(code) ? code : 'provider_failed'}`, provider ? provider.displayName : ''));
  }

  document.addEventListener('DOMContentLoaded', async () => {
    try {
      const response = await fetch('/api/auth/providers');
      providers = await response.json();
    } catch {
      show('error', t('error.unavailable'));
      return;
    }
    draw();
  });
  document.addEventListener('languagechange', draw);
})();
