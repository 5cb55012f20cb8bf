// A real OpenID Connect provider (npm `oidc-provider`) for Anneal's SSO tests.
//
// Usage: node oidc_server.mjs  (clients register themselves at /reg, or env IDP_CLIENTS = JSON list)
// Listens on 127.0.0.1 on a free port and prints {"issuer": "..."} as its first stdout line.
// Test-only control endpoints (loopback only):
//   POST /__test/accounts  {"<sub>": {claims...}}   claims returned for that subject ("amr" and "acr"
//                                                   go into its ID tokens, as after the IdP's MFA step)
//   POST /__test/tamper    {"mode": "aud"|"iss"|"exp"|"none"|null}  rewrites the next token
//                          response's ID token (re-signed with the provider's own key, or unsigned)
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, importJWK } from 'jose';

const clients = JSON.parse(process.env.IDP_CLIENTS || '[]').map((c) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  ...c,
}));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(jwk, 'RS256');

const accounts = {};
let tamper = null;

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: ['anneal-test-idp-cookie-key'] },
  pkce: { required: () => true, methods: ['S256'] },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, registration: { enabled: true } },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: sub, email_verified: true, ...(accounts[sub] || {}) };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

function b64(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

async function rewrite(idToken, mode) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'aud') claims.aud = 'some-other-client';
  if (mode === 'iss') claims.iss = 'http://127.0.0.1:1/not-the-issuer';
  if (mode === 'exp') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (mode === 'none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(signingKey);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/accounts' && ctx.method === 'POST') {
    Object.assign(accounts, await readJson(ctx.req));
    ctx.body = { ok: true };
    return;
  }
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    tamper = (await readJson(ctx.req)).mode || null;
    ctx.body = { ok: true };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    // An account configured with "amr" / "acr" signs in as if it passed the IdP's MFA step:
    // its ID tokens carry them, signed with the IdP's key.
    const claims = decodeJwt(ctx.body.id_token);
    const asserted = accounts[claims.sub] || {};
    if (asserted.amr || asserted.acr) {
      if (asserted.amr) claims.amr = asserted.amr;
      if (asserted.acr) claims.acr = asserted.acr;
      ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(signingKey) };
    }
  }
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await rewrite(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
