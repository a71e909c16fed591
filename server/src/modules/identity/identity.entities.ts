/**
 * Identity data. Relations are kept as plain id columns: the module never navigates them, and every write is an
 * explicit, index-backed statement.
 */
import { defineEntity, p } from '@mikro-orm/core';
import { ROLES } from '@emporium/contract';
import { createdAtColumn as createdAt, idColumn as id, updatedAtColumn } from '../../platform/columns';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: id(),
    email: p.string().length(254).unique(),
    passwordHash: p.string().nullable(),
    fullName: p.string().length(120),
    role: p.enum(ROLES).default('customer'),
    emailVerifiedAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAtColumn(),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);

/** A login: the family of refresh tokens that descend from it. Access tokens name their session (`sid`). */
export const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: id(),
    userId: p.uuid().index(),
    ip: p.string().nullable(),
    userAgent: p.string().length(300).nullable(),
    createdAt: createdAt(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().nullable(),
  },
});
export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);

export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: id(),
    sessionId: p.uuid().index(),
    tokenHash: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);

export const ACTION_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type ActionTokenPurpose = (typeof ACTION_TOKEN_PURPOSES)[number];

/** Single-use tokens mailed to users; only their SHA-256 is stored. */
export const ActionTokenSchema = defineEntity({
  name: 'ActionToken',
  tableName: 'action_tokens',
  properties: {
    id: id(),
    userId: p.uuid(),
    purpose: p.enum(ACTION_TOKEN_PURPOSES),
    tokenHash: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export class ActionToken extends ActionTokenSchema.class {}
ActionTokenSchema.setClass(ActionToken);

export const AddressSchema = defineEntity({
  name: 'Address',
  tableName: 'addresses',
  properties: {
    id: id(),
    userId: p.uuid(),
    label: p.string().length(60).nullable(),
    fullName: p.string().length(120),
    line1: p.string().length(200),
    line2: p.string().length(200).nullable(),
    city: p.string().length(100),
    region: p.string().length(100).nullable(),
    postalCode: p.string().length(20),
    country: p.string().length(2),
    phone: p.string().length(32).nullable(),
    isDefault: p.boolean().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAtColumn(),
  },
});
export class Address extends AddressSchema.class {}
AddressSchema.setClass(Address);

export const OAuthIdentitySchema = defineEntity({
  name: 'OAuthIdentity',
  tableName: 'oauth_identities',
  properties: {
    id: id(),
    userId: p.uuid().index(),
    provider: p.string().length(40),
    subject: p.string(),
    email: p.string().length(254).nullable(),
    createdAt: createdAt(),
  },
});
export class OAuthIdentity extends OAuthIdentitySchema.class {}
OAuthIdentitySchema.setClass(OAuthIdentity);

export const identityEntities = [User, Session, RefreshToken, ActionToken, Address, OAuthIdentity];
