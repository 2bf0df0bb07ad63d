// Operators: search members, suspend / reactivate, static IPv4 and IPv6 prefix.
'use strict';

(() => {
  const { t, el, show, api, describe } = App;
  let lastQuery = '';

  function memberCard(m) {
    const idBase = `m-${m.id}`;
    const status = el('span', { role: 'status', id: `${idBase}-status` });
    const ipv4 = el('input', { id: `${idBase}-ipv4`, name: 'framedIpAddress', inputmode: 'decimal', value: m.radius.framedIpAddress ?? '' });
    const ipv6 = el('input', { id: `${idBase}-ipv6`, name: 'framedIpv6Prefix', value: m.radius.framedIpv6Prefix ?? '' });
    const save = async event => {
      event.preventDefault();
      status.textContent = '';
      try {
        await api(`/api/admin/members/${encodeURIComponent(m.id)}/radius`, { method: 'PUT', body: {
          framedIpAddress: ipv4.value.trim() || null, framedIpv6Prefix: ipv6.value.trim() || null,
          framedRoutes: m.radius.framedRoutes ?? [], simultaneousUse: m.radius.simultaneousUse ?? null } });
        status.textContent = t('admin.saved');
      } catch (e) { status.textContent = t('error.generic', describe(e)); }
    };
    const toggle = async () => {
      try {
        await api(`/api/admin/members/${encodeURIComponent(m.id)}/${m.suspended ? 'reactivate' : 'suspend'}`, { method: 'POST' });
        await search(lastQuery);
      } catch (e) { show('error', t('error.generic', describe(e))); }
    };
    return el('section', { class: 'member', 'data-member-id': m.id, 'aria-label': m.email },
      el('h2', { text: `${m.displayName} — ${m.email}` }),
      el('p', {}, `${t('admin.status')}: `, el('strong', { text: m.suspended ? t('admin.suspended') : t('admin.active') }),
        ' ', el('button', { type: 'button', class: m.suspended ? '' : 'danger', onclick: toggle,
          'aria-label': `${m.suspended ? t('admin.reactivate') : t('admin.suspend')} ${m.email}`, text: m.suspended ? t('admin.reactivate') : t('admin.suspend') })),
      el('form', { class: 'inline-form', onsubmit: save },
        el('div', {}, el('label', { for: ipv4.id, text: t('admin.ipv4') }), ipv4),
        el('div', {}, el('label', { for: ipv6.id, text: t('admin.ipv6') }), ipv6),
        el('button', { type: 'submit', text: t('admin.save') }), status));
  }

  async function search(query) {
    lastQuery = query;
    show('error', '');
    try {
      const page = await api(`/api/admin/members?query=${encodeURIComponent(query)}&pageSize=50`);
      const results = document.getElementById('results');
      results.replaceChildren(...page.items.map(memberCard));
      if (page.items.length === 0) results.append(el('p', { class: 'muted', text: t('admin.none') }));
    } catch (e) {
      show('error', e.status === 403 ? t('admin.forbidden') : t('error.generic', describe(e)));
    }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    document.getElementById('search-form').addEventListener('submit', event => {
      event.preventDefault();
      search(document.getElementById('query').value.trim());
    });
    if (!await App.requireSession()) return;
    if (!App.roles.includes('admin')) { show('error', t('admin.forbidden')); return; }
    await search('');
    document.body.dataset.ready = 'true';
  });
  document.addEventListener('languagechange', () => { if (document.body.dataset.ready) search(lastQuery); });
})();
