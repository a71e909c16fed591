import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { invalidBody, MessageResponse, meta, unauthorized } from './common';
import { Email, FullName, MailToken, Password, TokenPair, User, identityProblem as problem } from './identity.schemas';
import { TOKEN_PAIR_EXAMPLE, USER_EXAMPLE } from './examples';
import { named } from './named';

const c = initContract();

const MAIL_TOKEN_EXAMPLE = 'k3Jx9QmZ2vT8pL4wR7nB1cY6hF0dS5aE';
const emailRequest = () => named('EmailRequest', z.object({ email: Email }).strict(), { email: 'ada@example.com' });
const refreshTokenRequest = () =>
  named('RefreshTokenRequest', z.object({ refreshToken: z.string().min(1).max(256) }).strict(), {
    refreshToken: TOKEN_PAIR_EXAMPLE.refreshToken,
  });

const OAuthProvider = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/)
  .describe('Provider name: `google`, `github` or a configured OIDC issuer');

export const authContract = c.router(
  {
    register: {
      method: 'POST',
      path: '/register',
      summary: 'Register a customer account',
      description:
        'Creates an unverified customer and mails a verification link. The answer is the same 202 whether or not ' +
        'the email is taken (the existing owner is mailed instead), so it cannot be used to probe for accounts.',
      metadata: meta({ auth: 'public', rateLimit: 'register' }),
      body: named('RegisterRequest', z.object({ email: Email, password: Password, fullName: FullName }).strict(), {
        email: 'ada@example.com',
        password: 'correct horse battery staple',
        fullName: 'Ada Lovelace',
      }),
      responses: { 202: MessageResponse, 400: invalidBody },
    },
    verifyEmail: {
      method: 'POST',
      path: '/verify-email',
      summary: 'Verify an email address',
      description: 'Consumes the token from the verification mail. Tokens are single-use and expire after 24 hours.',
      metadata: meta({ auth: 'public', rateLimit: 'token_action' }),
      body: named('VerifyEmailRequest', z.object({ token: MailToken }).strict(), { token: MAIL_TOKEN_EXAMPLE }),
      responses: {
        200: named('EmailVerified', z.object({ user: User }), { user: USER_EXAMPLE }),
        400: problem('validation_failed', 'malformed_json', 'invalid_token'),
      },
    },
    resendVerification: {
      method: 'POST',
      path: '/resend-verification',
      summary: 'Send the verification mail again',
      description: 'Always 202. An unverified account gets a new link, which supersedes the older ones.',
      metadata: meta({ auth: 'public', rateLimit: 'email_action' }),
      body: emailRequest(),
      responses: { 202: MessageResponse, 400: invalidBody },
    },
    login: {
      method: 'POST',
      path: '/login',
      summary: 'Log in with email and password',
      description:
        'Answers an access token and a refresh token. A wrong email and a wrong password give the same 401 in ' +
        'indistinguishable time. Limited per account and per IP.',
      metadata: meta({ auth: 'public', rateLimit: 'login' }),
      body: named('LoginRequest', z.object({ email: Email, password: z.string().min(1).max(1024) }).strict(), {
        email: 'ada@example.com',
        password: 'correct horse battery staple',
      }),
      responses: {
        200: TokenPair,
        400: invalidBody,
        401: problem('invalid_credentials'),
        403: problem('email_not_verified', 'account_disabled'),
      },
    },
    refreshTokens: {
      method: 'POST',
      path: '/refresh',
      summary: 'Exchange a refresh token for a new pair',
      description:
        'Refresh tokens rotate: each works once. Presenting one that was already used revokes its whole family ' +
        '(every token descended from the same login), since it means the token was stolen.',
      metadata: meta({ auth: 'public', rateLimit: 'token_action' }),
      body: refreshTokenRequest(),
      responses: {
        200: TokenPair,
        400: invalidBody,
        401: problem('invalid_token'),
        403: problem('account_disabled'),
      },
    },
    logout: {
      method: 'POST',
      path: '/logout',
      summary: 'Log out',
      description: 'Revokes the refresh token family, and the access token that called this stops working at once.',
      metadata: meta({ auth: 'authenticated', rateLimit: 'account' }),
      body: refreshTokenRequest(),
      responses: {
        204: c.noBody(),
        400: invalidBody,
        401: unauthorized,
      },
    },
    forgotPassword: {
      method: 'POST',
      path: '/forgot-password',
      summary: 'Ask for a password reset mail',
      description: 'Always 202, whether or not the account exists. The mail holds a single-use link valid for 1 hour.',
      metadata: meta({ auth: 'public', rateLimit: 'email_action' }),
      body: emailRequest(),
      responses: { 202: MessageResponse, 400: invalidBody },
    },
    resetPassword: {
      method: 'POST',
      path: '/reset-password',
      summary: 'Set a new password with a reset token',
      description: 'Consumes the token from the reset mail and ends every session of the user.',
      metadata: meta({ auth: 'public', rateLimit: 'token_action' }),
      body: named('ResetPasswordRequest', z.object({ token: MailToken, password: Password }).strict(), {
        token: MAIL_TOKEN_EXAMPLE,
        password: 'a new long passphrase',
      }),
      responses: { 204: c.noBody(), 400: problem('validation_failed', 'malformed_json', 'invalid_token') },
    },
    startOAuthLogin: {
      method: 'GET',
      path: '/oauth/:provider/authorize',
      summary: 'Start a social login',
      description:
        'Redirects (302) to the provider with an authorization-code request (PKCE, state and nonce). The state is ' +
        'also bound to this browser by an HttpOnly cookie, so the callback can only complete in the same browser.',
      metadata: meta({ auth: 'public', rateLimit: 'oauth' }),
      pathParams: z.object({ provider: OAuthProvider }),
      responses: { 302: c.noBody(), 400: problem('validation_failed'), 404: problem('oauth_provider_unknown') },
    },
    completeOAuthLogin: {
      method: 'GET',
      path: '/oauth/:provider/callback',
      summary: 'Finish a social login',
      description:
        'The provider redirects here. Answers the same token pair as a password login. An existing account with ' +
        'the same email is linked only when the provider says that email is verified; otherwise 409 `email_taken`.',
      metadata: meta({ auth: 'public', rateLimit: 'oauth' }),
      pathParams: z.object({ provider: OAuthProvider }),
      query: z
        .object({
          code: z.string().max(2048).optional(),
          state: z.string().max(256).optional(),
          error: z.string().max(200).optional(),
        })
        .passthrough(),
      responses: {
        200: TokenPair,
        400: problem('validation_failed', 'invalid_oauth_state', 'oauth_failed'),
        403: problem('account_disabled'),
        404: problem('oauth_provider_unknown'),
        409: problem('email_taken'),
      },
    },
  },
  { pathPrefix: '/auth' },
);
