// Shared by every page: translations (fr/en), the API client and the session.
// The access token lives only in this page's memory; the refresh token only in the httpOnly cookie (nrb_refresh),
// so a reload or a new tab asks POST /api/auth/refresh for a fresh access token, and a timer refreshes it silently
// a minute before it expires.
'use strict';

const Strings = {
  en: {
    'app.name': 'Neutrinet members', 'lang.switch': 'Français', 'nav.member': 'My account', 'nav.admin': 'Administration',
    'nav.logout': 'Log out', 'login.title': 'Log in', 'login.submit': 'Log in', 'login.with': 'Log in with {0}',
    'login.or': 'Or log in with', 'login.noaccount': 'No account yet?', 'login.register': 'Register',
    'login.failed': 'Wrong email or password.', 'login.none': 'No log-in method is configured.',
    'field.email': 'Email', 'field.password': 'Password', 'field.displayName': 'Name (optional)',
    'register.title': 'Register', 'register.submit': 'Create my account', 'register.hint': 'At least 10 characters, not a common password; a sentence is fine.',
    'register.done': 'Your account is ready. Here is your first VPN token: it is shown only once.', 'register.continue': 'Continue to my account',
    'member.title': 'My account', 'member.roles': 'Roles', 'member.tokens': 'VPN tokens',
    'member.tokens.hint': 'Log in to the VPN with your email as user name and one of these tokens as password (never your account password).',
    'member.token.label': 'Device name', 'member.token.create': 'Create a token', 'member.token.created': 'New token for “{0}”. Copy it now: it will not be shown again.',
    'member.token.copy': 'Copy', 'member.token.copied': 'Copied.', 'member.token.hide': 'I have copied it', 'member.token.revoke': 'Revoke',
    'member.token.revokeLabel': 'Revoke token {0}', 'member.token.confirm': 'Revoke the token “{0}”? Devices using it will be disconnected at their next log-in.',
    'member.token.none': 'No token yet.', 'member.token.created_at': 'Created', 'member.token.last_used': 'Last used', 'member.never': 'never',
    'member.profile': 'OpenVPN profile', 'member.profile.hint': 'A ready-to-use client configuration: import it in OpenVPN, then log in with your email and a VPN token.',
    'member.profile.download': 'Download the OpenVPN profile', 'member.sessions': 'Recent VPN sessions', 'member.sessions.none': 'No session yet.',
    'member.session.start': 'Start', 'member.session.duration': 'Duration', 'member.session.traffic': 'Traffic (in / out)', 'member.session.open': 'connected',
    'admin.title': 'Administration', 'admin.search': 'Search members (email or name)', 'admin.search.submit': 'Search', 'admin.none': 'No member found.',
    'admin.status': 'Status', 'admin.active': 'active', 'admin.suspended': 'suspended', 'admin.suspend': 'Suspend', 'admin.reactivate': 'Reactivate',
    'admin.ipv4': 'Static IPv4', 'admin.ipv6': 'IPv6 prefix', 'admin.save': 'Save', 'admin.saved': 'Saved.', 'admin.forbidden': 'This page is for administrators.',
    'offline': 'Connection lost; retrying…', 'error.generic': 'Something went wrong: {0}',
    'error.provider_unavailable': '{0} cannot be reached right now. Try again later, or use another way to log in.',
    'error.provider_failed': 'The log-in through {0} failed or was refused. Please start again.',
    'error.email_not_verified': '{0} did not confirm your email address, and an account already uses it. Log in with that account instead.',
    'error.email_missing': '{0} did not give an email address; it is needed for an account.',
    'error.no_subject': '{0} did not say who you are; the log-in cannot continue.',
    'error.suspended': 'This account is suspended; contact Neutrinet.',
    'error.unavailable': 'The service is temporarily unavailable. Try again in a moment.',
    'error.session': 'Your session has ended. Please log in again.',
  },
  fr: {
    'app.name': 'Membres Neutrinet', 'lang.switch': 'English', 'nav.member': 'Mon compte', 'nav.admin': 'Administration',
    'nav.logout': 'Se déconnecter', 'login.title': 'Connexion', 'login.submit': 'Se connecter', 'login.with': 'Se connecter avec {0}',
    'login.or': 'Ou se connecter avec', 'login.noaccount': 'Pas encore de compte ?', 'login.register': 'Créer un compte',
    'login.failed': 'Adresse e-mail ou mot de passe incorrect.', 'login.none': 'Aucune méthode de connexion n’est configurée.',
    'field.email': 'Adresse e-mail', 'field.password': 'Mot de passe', 'field.displayName': 'Nom (facultatif)',
    'register.title': 'Créer un compte', 'register.submit': 'Créer mon compte', 'register.hint': 'Au moins 10 caractères, pas un mot de passe courant ; une phrase convient.',
    'register.done': 'Votre compte est prêt. Voici votre premier jeton VPN : il n’est affiché qu’une fois.', 'register.continue': 'Aller à mon compte',
    'member.title': 'Mon compte', 'member.roles': 'Rôles', 'member.tokens': 'Jetons VPN',
    'member.tokens.hint': 'Connectez-vous au VPN avec votre adresse e-mail comme nom d’utilisateur et un de ces jetons comme mot de passe (jamais votre mot de passe de compte).',
    'member.token.label': 'Nom de l’appareil', 'member.token.create': 'Créer un jeton', 'member.token.created': 'Nouveau jeton pour « {0} ». Copiez-le maintenant : il ne sera plus affiché.',
    'member.token.copy': 'Copier', 'member.token.copied': 'Copié.', 'member.token.hide': 'Je l’ai copié', 'member.token.revoke': 'Révoquer',
    'member.token.revokeLabel': 'Révoquer le jeton {0}', 'member.token.confirm': 'Révoquer le jeton « {0} » ? Les appareils qui l’utilisent seront refusés à leur prochaine connexion.',
    'member.token.none': 'Aucun jeton.', 'member.token.created_at': 'Créé', 'member.token.last_used': 'Dernière utilisation', 'member.never': 'jamais',
    'member.profile': 'Profil OpenVPN', 'member.profile.hint': 'Une configuration prête à l’emploi : importez-la dans OpenVPN, puis connectez-vous avec votre adresse e-mail et un jeton VPN.',
    'member.profile.download': 'Télécharger le profil OpenVPN', 'member.sessions': 'Sessions VPN récentes', 'member.sessions.none': 'Aucune session.',
    'member.session.start': 'Début', 'member.session.duration': 'Durée', 'member.session.traffic': 'Trafic (reçu / envoyé)', 'member.session.open': 'connecté',
    'admin.title': 'Administration', 'admin.search': 'Chercher des membres (e-mail ou nom)', 'admin.search.submit': 'Chercher', 'admin.none': 'Aucun membre trouvé.',
    'admin.status': 'État', 'admin.active': 'actif', 'admin.suspended': 'suspendu', 'admin.suspend': 'Suspendre', 'admin.reactivate': 'Réactiver',
    'admin.ipv4': 'IPv4 fixe', 'admin.ipv6': 'Préfixe IPv6', 'admin.save': 'Enregistrer', 'admin.saved': 'Enregistré.', 'admin.forbidden': 'Cette page est réservée aux administrateurs.',
    'offline': 'Connexion perdue ; nouvel essai…', 'error.generic': 'Une erreur est survenue : {0}',
    'error.provider_unavailable': '{0} est injoignable pour le moment. Réessayez plus tard ou utilisez une autre méthode de connexion.',
    'error.provider_failed': 'La connexion via {0} a échoué ou a été refusée. Recommencez, s’il vous plaît.',
    'error.email_not_verified': '{0} n’a pas confirmé votre adresse e-mail, et un compte l’utilise déjà. Connectez-vous plutôt avec ce compte.',
    'error.email_missing': '{0} n’a pas donné d’adresse e-mail ; elle est nécessaire pour un compte.',
    'error.no_subject': '{0} n’a pas dit qui vous êtes ; la connexion ne peut pas continuer.',
    'error.suspended': 'Ce compte est suspendu ; contactez Neutrinet.',
    'error.unavailable': 'Le service est momentanément indisponible. Réessayez dans un instant.',
    'error.session': 'Votre session est terminée. Reconnectez-vous, s’il vous plaît.',
  },
};

const App = (() => {
  let lang = pickLanguage();
  let accessToken = null;
  let roles = [];
  let refreshTimer = null;

  function pickLanguage() {
    const saved = localStorage.getItem('nrb.lang');
    if (saved === 'fr' || saved === 'en') return saved;
    return (navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
  }

  function t(key, ...args) {
    const text = Strings[lang][key] ?? Strings.en[key] ?? key;
    return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
  }

  function translate(root = document) {
    document.documentElement.lang = lang;
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-title]')) document.title = t(el.dataset.i18nTitle);
  }

  function setLanguage(next) {
    lang = next;
    localStorage.setItem('nrb.lang', next);
    translate();
    document.dispatchEvent(new CustomEvent('languagechange'));
  }

  /** Builds an element: el('button', {class: 'x', onclick: f}, 'text', child). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function show(id, message, kind = 'alert') {
    const box = document.getElementById(id);
    if (!box) return;
    box.className = kind;
    box.textContent = message;
    box.hidden = !message;
  }

  /** POST /api/auth/refresh with the cookie. Returns true when a fresh access token is in memory. */
  async function refresh() {
    let response;
    try {
      response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    } catch {
      // Dropped connection: keep what we have, try again soon.
      show('offline', t('offline'), 'alert');
      schedule(5);
      return accessToken !== null;
    }
    show('offline', '');
    if (!response.ok) {
      if (response.status === 503 || response.status === 429) { schedule(10); return accessToken !== null; }
      accessToken = null;
      return false;
    }
    const body = await response.json();
    accessToken = body.accessToken; // body.refreshToken is ignored: the cookie carries it
    roles = rolesOf(accessToken);
    schedule(Math.max(10, body.expiresIn - 60));
    return true;
  }

  function schedule(seconds) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, seconds * 1000);
  }

  function rolesOf(token) {
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return [].concat(payload.role ?? []);
    } catch { return []; }
  }

  /** Calls the API with the access token; one silent refresh on 401. Throws {status, problem} on failure. */
  async function api(path, { method = 'GET', body, raw = false } = {}) {
    const send = () => fetch(path, {
      method, credentials: 'same-origin',
      headers: { ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    let response = await send();
    if (response.status === 401 && await refresh()) response = await send();
    if (response.status === 401) { goToLogin('session'); throw { status: 401 }; }
    if (!response.ok) {
      let problem = {};
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw { status: response.status, problem };
    }
    if (raw) return response;
    return response.status === 204 ? null : response.json();
  }

  function describe(error) {
    const p = error && error.problem;
    if (p && p.errors) return Object.values(p.errors).flat().join(' ');
    return (p && (p.detail || p.title)) || (error && error.status ? `HTTP ${error.status}` : String(error));
  }

  function goToLogin(error) {
    location.assign(error ? `/?error=${encodeURIComponent(error)}` : '/');
  }

  /** For pages behind the log-in: gets an access token from the cookie or goes to the login page. */
  async function requireSession() {
    if (!await refresh()) { goToLogin(); return false; }
    return true;
  }

  async function logout() {
    clearTimeout(refreshTimer);
    try { await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' }); } catch { /* offline */ }
    accessToken = null;
    location.assign('/');
  }

  function header() {
    const nav = document.querySelector('header nav');
    if (!nav) return;
    const button = document.getElementById('lang');
    button?.addEventListener('click', () => setLanguage(lang === 'fr' ? 'en' : 'fr'));
    document.getElementById('logout')?.addEventListener('click', logout);
  }

  function formatDate(value) {
    return value ? new Date(value).toLocaleString(lang === 'fr' ? 'fr-BE' : 'en-GB') : t('member.never');
  }

  function formatDuration(seconds) {
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  }

  function formatBytes(n) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0, v = Number(n);
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }

  document.addEventListener('DOMContentLoaded', () => { translate(); header(); });

  return {
    t, el, show, api, describe, refresh, requireSession, logout, translate, formatDate, formatDuration, formatBytes,
    get roles() { return roles; }, get lang() { return lang; },
  };
})();
