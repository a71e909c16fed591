import { z } from 'zod';
import { Id, problemsOf, Role, Timestamp } from './common';
import { ADDRESS_EXAMPLE, ADDRESS_INPUT_EXAMPLE, TOKEN_PAIR_EXAMPLE, USER_EXAMPLE } from './examples';
import { named } from './named';

/** Error codes of accounts and sign-in (besides the platform's). */
export const IDENTITY_ERROR_CODES = [
  'invalid_credentials',
  'email_not_verified',
  'account_disabled',
  'email_taken',
  'invalid_current_password',
  'invalid_oauth_state',
  'oauth_failed',
  'oauth_provider_unknown',
] as const;
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];
export const identityProblem = problemsOf<IdentityErrorCode>();

/** Rate-limit policies of identity's routes (budgets: server/src/modules/identity/identity.rate-limits.ts). */
export const IDENTITY_RATE_LIMIT_POLICIES = [
  'login',
  'register',
  'email_action',
  'token_action',
  'oauth',
  'account',
  'password_change',
  'user_admin',
] as const;

/** Emails are trimmed and lower-cased before anything else, so uniqueness holds whatever the client typed. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .email()
  .describe('Email address (normalised to lower case)');

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** The upper bound keeps hashing cheap to refuse: a long password is a fast 400, never a slow hash. */
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH)
  .max(PASSWORD_MAX_LENGTH)
  .describe(`Password, ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`);

export const FullName = z.string().trim().min(1).max(120);

/** Single-use tokens from mails: url-safe random strings. */
export const MailToken = z
  .string()
  .min(16)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a token');

export const User = named(
  'User',
  z.object({
    id: Id,
    email: z.string(),
    fullName: z.string(),
    role: Role,
    emailVerified: z.boolean(),
    isActive: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  USER_EXAMPLE,
);
export type User = z.infer<typeof User>;

export const TokenPair = named(
  'TokenPair',
  z.object({
    accessToken: z.string().describe('Short-lived JWT; send as `Authorization: Bearer <accessToken>`'),
    refreshToken: z.string().describe('Opaque, single-use: every refresh returns a new one'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    user: User,
  }),
  TOKEN_PAIR_EXAMPLE,
);

const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')
  .describe('ISO 3166-1 alpha-2 country code');

/** A postal address as every form of it takes it: saved addresses and an order's shipping address. */
export const postalAddressFields = {
  fullName: FullName,
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).nullable().optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().max(100).nullable().optional(),
  postalCode: z.string().trim().min(1).max(20),
  country: CountryCode,
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{4,32}$/, 'is not a phone number')
    .nullable()
    .optional(),
};

const addressFields = {
  label: z.string().trim().max(60).nullable().optional().describe('A name for the address, e.g. Home'),
  ...postalAddressFields,
  isDefault: z.boolean().optional().describe('Make this the default address (the previous default stops being one)'),
};

export const AddressInput = named('AddressInput', z.object(addressFields).strict(), ADDRESS_INPUT_EXAMPLE);
export const AddressUpdate = named(
  'AddressUpdate',
  z
    .object(addressFields)
    .partial()
    .strict()
    .refine((value) => Object.keys(value).length > 0, 'at least one property is required'),
  { label: 'Office', isDefault: true },
);

export const Address = named(
  'Address',
  z.object({
    id: Id,
    label: z.string().nullable(),
    fullName: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    region: z.string().nullable(),
    postalCode: z.string(),
    country: z.string(),
    phone: z.string().nullable(),
    isDefault: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  ADDRESS_EXAMPLE,
);
