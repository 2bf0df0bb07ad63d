// Registration through the simple-form module, then log-in with the same credentials (the cookie session).
'use strict';

(() => {
  const { t, show, describe } = App;
  let credentials = null;

  async function copy(text, statusId) {
    try { await navigator.clipboard.writeText(text); } catch {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('first-token'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      document.execCommand('copy');
    }
    document.getElementById(statusId).textContent = t('member.token.copied');
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('register-form');
    form.addEventListener('submit', async event => {
      event.preventDefault();
      show('error', '');
      const body = Object.fromEntries(new FormData(form));
      const response = await fetch('/api/auth/simpleauth/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
        .catch(() => null);
      if (!response) { show('error', t('offline')); return; }
      const result = await response.json().catch(() => ({}));
      if (!response.ok) { show('error', t('error.generic', describe({ status: response.status, problem: result }))); return; }
      credentials = { email: body.email, password: body.password };
      form.hidden = true;
      document.getElementById('first-token').textContent = result.vpnToken;
      document.getElementById('done').hidden = false;
      document.getElementById('continue').focus();
    });
    document.getElementById('copy-first').addEventListener('click', () => copy(document.getElementById('first-token').textContent, 'copy-first-status'));
    document.getElementById('continue').addEventListener('click', async () => {
      const response = await fetch('/api/auth/simpleauth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(credentials) })
        .catch(() => null);
      credentials = null;
      location.assign(response && response.ok ? '/member.html' : '/');
    });
  });
})();
