// The member page: identity, VPN tokens (create: secret shown once; revoke), the OpenVPN profile, recent sessions.
'use strict';

(() => {
  const { t, el, show, api, describe, formatDate, formatDuration, formatBytes } = App;

  async function loadMe() {
    const me = await api('/api/members/me');
    document.getElementById('me-name').textContent = me.displayName;
    document.getElementById('me-email').textContent = me.email;
    // The access token's roles: the directory's plus those an external provider granted for this session.
    document.getElementById('roles').textContent = App.roles.join(', ');
    document.getElementById('admin-link').hidden = !App.roles.includes('admin');
  }

  async function loadTokens() {
    const tokens = await api('/api/members/me/tokens');
    const body = document.querySelector('#tokens tbody');
    body.replaceChildren(...tokens.map(tk => el('tr', { 'data-token-id': tk.id },
      el('td', { text: tk.label }), el('td', { text: formatDate(tk.createdAt) }), el('td', { text: formatDate(tk.lastUsedAt) }),
      el('td', {}, el('button', { type: 'button', class: 'danger', 'aria-label': t('member.token.revokeLabel', tk.label), text: t('member.token.revoke'),
        onclick: () => revoke(tk) })))));
    if (tokens.length === 0) body.append(el('tr', {}, el('td', { colspan: '4', class: 'muted', text: t('member.token.none') })));
  }

  async function revoke(token) {
    if (!confirm(t('member.token.confirm', token.label))) return;
    try {
      await api(`/api/members/me/tokens/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
      await loadTokens();
    } catch (e) { show('error', t('error.generic', describe(e))); }
  }

  async function createToken(event) {
    event.preventDefault();
    const input = document.getElementById('token-label');
    try {
      const created = await api('/api/members/me/tokens', { method: 'POST', body: { label: input.value } });
      // Shown once: the secret is only in this response, never readable again.
      document.getElementById('new-token-text').textContent = t('member.token.created', created.label);
      document.getElementById('new-token-secret').textContent = created.secret;
      document.getElementById('copy-status').textContent = '';
      document.getElementById('new-token').hidden = false;
      input.value = '';
      document.getElementById('copy-token').focus();
      await loadTokens();
    } catch (e) { show('error', t('error.generic', describe(e))); }
  }

  async function copySecret() {
    const secret = document.getElementById('new-token-secret');
    try { await navigator.clipboard.writeText(secret.textContent); } catch {
      const range = document.createRange();
      range.selectNodeContents(secret);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      document.execCommand('copy');
    }
    document.getElementById('copy-status').textContent = t('member.token.copied');
  }

  function hideSecret() {
    document.getElementById('new-token-secret').textContent = '';
    document.getElementById('new-token').hidden = true;
    document.getElementById('token-label').focus();
  }

  async function downloadProfile() {
    show('profile-error', '');
    try {
      const response = await api('/api/members/me/openvpn-profile', { raw: true });
      const url = URL.createObjectURL(await response.blob());
      const link = el('a', { href: url, download: 'neutrinet.ovpn', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { show('profile-error', t('error.generic', describe(e))); }
  }

  async function loadSessions() {
    const sessions = await api('/api/members/me/sessions');
    const body = document.querySelector('#sessions tbody');
    body.replaceChildren(...sessions.map(s => el('tr', {},
      el('td', { text: formatDate(s.startedAt) + (s.open ? ` (${t('member.session.open')})` : '') }),
      el('td', { text: formatDuration(s.durationSeconds) }),
      el('td', { text: `${formatBytes(s.inputOctets)} / ${formatBytes(s.outputOctets)}` }))));
    if (sessions.length === 0) body.append(el('tr', {}, el('td', { colspan: '3', class: 'muted', text: t('member.sessions.none') })));
  }

  async function loadAll() {
    try { await Promise.all([loadMe(), loadTokens(), loadSessions()]); }
    catch (e) { if (e.status !== 401) show('error', t('error.generic', describe(e))); }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    document.getElementById('token-form').addEventListener('submit', createToken);
    document.getElementById('copy-token').addEventListener('click', copySecret);
    document.getElementById('hide-token').addEventListener('click', hideSecret);
    document.getElementById('download-profile').addEventListener('click', downloadProfile);
    if (!await App.requireSession()) return;
    await loadAll();
    document.body.dataset.ready = 'true';
  });
  document.addEventListener('languagechange', () => { if (document.body.dataset.ready) loadAll(); });
})();
