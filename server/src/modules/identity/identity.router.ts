/** Thin routers for auth, the signed-in user's account and admin user management. */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import type { IncomingHttpHeaders } from 'node:http';
import type { Deps } from '../../platform/deps';
import { authenticatedCtxFrom, ctxFrom } from '../../platform/context';
import * as adminUsers from './admin-users.service';
import * as auth from './auth.service';
import { createOAuthService, OAUTH_STATE_COOKIE } from './oauth.service';
import * as users from './users.service';

const s = initServer();
const api = contract.api;

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function createIdentityRouters(deps: Deps) {
  const oauth = createOAuthService(deps.config, deps.store);
  const secureCookie = deps.config.PUBLIC_URL.startsWith('https:');

  const authRouter = s.router(api.auth, {
    register: async ({ req, body }) => {
      await auth.register(ctxFrom(deps, req), body);
      return { status: 202, body: { message: auth.REGISTERED_MESSAGE } };
    },
    verifyEmail: async ({ req, body }) => ({
      status: 200,
      body: { user: await auth.verifyEmail(ctxFrom(deps, req), body.token) },
    }),
    resendVerification: async ({ req, body }) => {
      await auth.requestVerificationMail(ctxFrom(deps, req), body.email);
      return { status: 202, body: { message: 'If the account needs verifying, a new link is on its way.' } };
    },
    login: async ({ req, body }) => ({ status: 200, body: await auth.login(ctxFrom(deps, req), body) }),
    refreshTokens: async ({ req, body }) => ({
      status: 200,
      body: await auth.refresh(ctxFrom(deps, req), body.refreshToken),
    }),
    logout: async ({ req, body }) => {
      await auth.logout(authenticatedCtxFrom(deps, req), body.refreshToken);
      return { status: 204, body: undefined };
    },
    forgotPassword: async ({ req, body }) => {
      await auth.requestPasswordReset(ctxFrom(deps, req), body.email);
      return { status: 202, body: { message: 'If an account uses this address, a reset link is on its way.' } };
    },
    resetPassword: async ({ req, body }) => {
      await auth.resetPassword(ctxFrom(deps, req), body);
      return { status: 204, body: undefined };
    },
    startOAuthLogin: async ({ params, res }) => {
      const { url, state } = await oauth.authorizationUrl(params.provider);
      res.cookie(OAUTH_STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        path: '/api/auth/oauth',
        maxAge: 600_000,
      });
      res.setHeader('Location', url);
      return { status: 302, body: undefined };
    },
    completeOAuthLogin: async ({ req, params, res }) => {
      const callbackUrl = new URL(req.originalUrl, deps.config.PUBLIC_URL);
      const pair = await oauth.complete(ctxFrom(deps, req), params.provider, {
        callbackUrl,
        cookieState: cookie(req.headers, OAUTH_STATE_COOKIE),
      });
      res.clearCookie(OAUTH_STATE_COOKIE, { path: '/api/auth/oauth' });
      return { status: 200, body: pair };
    },
  });

  const usersRouter = s.router(api.users, {
    getProfile: async ({ req }) => ({ status: 200, body: await users.getProfile(authenticatedCtxFrom(deps, req)) }),
    updateProfile: async ({ req, body }) => ({
      status: 200,
      body: await users.updateProfile(authenticatedCtxFrom(deps, req), body),
    }),
    changePassword: async ({ req, body }) => {
      await users.changePassword(authenticatedCtxFrom(deps, req), body);
      return { status: 204, body: undefined };
    },
    listAddresses: async ({ req, query }) => ({
      status: 200,
      body: await users.listAddresses(authenticatedCtxFrom(deps, req), query),
    }),
    createAddress: async ({ req, body }) => ({
      status: 201,
      body: await users.createAddress(authenticatedCtxFrom(deps, req), body),
    }),
    updateAddress: async ({ req, params, body }) => ({
      status: 200,
      body: await users.updateAddress(authenticatedCtxFrom(deps, req), params.id, body),
    }),
    deleteAddress: async ({ req, params }) => {
      await users.deleteAddress(authenticatedCtxFrom(deps, req), params.id);
      return { status: 204, body: undefined };
    },
  });

  const adminUsersRouter = s.router(api.adminUsers, {
    listUsers: async ({ req, query }) => ({
      status: 200,
      body: await adminUsers.listUsers(authenticatedCtxFrom(deps, req), query),
    }),
    getUser: async ({ req, params }) => ({
      status: 200,
      body: await adminUsers.getUser(authenticatedCtxFrom(deps, req), params.id),
    }),
    createUser: async ({ req, body }) => ({
      status: 201,
      body: await adminUsers.createUser(authenticatedCtxFrom(deps, req), body),
    }),
    updateUser: async ({ req, params, body }) => ({
      status: 200,
      body: await adminUsers.updateUser(authenticatedCtxFrom(deps, req), params.id, body),
    }),
  });

  return { auth: authRouter, users: usersRouter, adminUsers: adminUsersRouter };
}
