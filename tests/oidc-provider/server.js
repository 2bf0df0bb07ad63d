// A real OpenID Provider (the certified npm package oidc-provider) for the browser tests, on loopback only.
//
//   node server.js   with environment:
//     PORT        port to listen on (127.0.0.1)            ISSUER   e.g. http://localhost:PORT (use "localhost":
//     CLIENTS     JSON array of {client_id, client_secret,           the app runs on 127.0.0.1, so cookies stay apart)
//                 redirect_uris}
//
// Besides OpenID Connect (discovery, PAR, PKCE, ID tokens, /me userinfo) it serves a plain OAuth2 userinfo endpoint,
// GET /oauth/userinfo, that accepts access tokens issued without the openid scope (oidc-provider's own /me refuses
// those). Accounts are added by the tests: PUT /_test/accounts/<username> with {email, email_verified, name, groups}.
// The login page (/interaction/<uid>) asks only for a username and grants every requested scope at once.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 0);
const issuer = process.env.ISSUER ?? `http://localhost:${port}`;
const clients = JSON.parse(process.env.CLIENTS ?? '[]').map(c => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  ...c,
}));
const accounts = new Map();

const provider = new Provider(issuer, {
  clients,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // groups come with the profile scope (no extra scope needed) and with the groups scope.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: { devInteractions: { enabled: false }, pushedAuthorizationRequests: { enabled: true } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: (ctx, id) => {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: () => claimsOf(id, account) };
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
provider.proxy = false;

function claimsOf(id, account) {
  // A user without groups has no "groups" claim at all, as real providers do.
  const claims = { sub: id, email: account.email, email_verified: account.email_verified ?? false, name: account.name };
  if (account.groups && account.groups.length > 0) claims.groups = account.groups;
  return claims;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', chunk => { data += chunk; if (data.length > 100000) req.destroy(); });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function loginPage(uid, clientId, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head><body>
<h1>Test provider</h1><p>Sign in to continue to ${escapeHtml(clientId)}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">Username</label> <input id="username" name="username" autocomplete="off" autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'text/plain', 'interaction mismatch');
  if (!action) return send(res, 200, 'text/html; charset=utf-8', loginPage(uid, details.params.client_id));

  const form = new URLSearchParams(await readBody(req));
  const username = form.get('username') ?? '';
  if (!accounts.has(username))
    return send(res, 200, 'text/html; charset=utf-8', loginPage(uid, details.params.client_id, 'Unknown user'));

  const grant = new provider.Grant({ accountId: username, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? ''));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: username }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

async function plainUserinfo(req, res) {
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? await provider.AccessToken.find(auth.slice(7)) : undefined;
  const account = token ? accounts.get(token.accountId) : undefined;
  if (!account) return send(res, 401, 'application/json', JSON.stringify({ error: 'invalid_token' }));
  // Plain OAuth2 providers answer with their own shape: the subject is "id" here, not "sub".
  const { sub, ...claims } = claimsOf(token.accountId, account);
  send(res, 200, 'application/json', JSON.stringify({ id: sub, ...claims }));
}

const callback = provider.callback();
async function handle(req, res) {
  try {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) return await interaction(req, res, match[1], match[2]);
    if (url.pathname === '/oauth/userinfo' && req.method === 'GET') return await plainUserinfo(req, res);
    const account = url.pathname.match(/^\/_test\/accounts\/([A-Za-z0-9._-]+)$/);
    if (account && req.method === 'PUT') {
      accounts.set(account[1], JSON.parse(await readBody(req)));
      return send(res, 204, 'text/plain', '');
    }
    if (url.pathname === '/_test/health') return send(res, 200, 'text/plain', 'ok');
    return callback(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) send(res, 500, 'text/plain', String(error && error.message));
  }
}

// "localhost" may resolve to ::1 or 127.0.0.1: answer on both (loopback only).
const servers = [http.createServer(handle), http.createServer(handle)];
servers[0].listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer} on 127.0.0.1:${servers[0].address().port}`);
});
servers[1].on('error', () => { /* no IPv6 loopback here */ });
servers[1].listen(port, '::1');
process.on('SIGTERM', () => { for (const s of servers) s.close(); process.exit(0); });
